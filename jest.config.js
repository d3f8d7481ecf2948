// Three tiers, each a jest project: `jest --selectProjects unit` runs one.
// ts-jest only transpiles (tsconfig.jest.json sets isolatedModules; type checking is `npm run build`).
const tier = (name, extra = {}) => ({
    displayName: name,
    testEnvironment: "node",
    testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
    modulePathIgnorePatterns: ["<rootDir>/bin/"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.jest.json", diagnostics: false }] },
    ...extra,
});

module.exports = {
    projects: [tier("unit"), tier("integration"), tier("e2e")],
    testTimeout: 120000,
};
