#!/usr/bin/env node
// Entry point of `npx kube-backup` (see main.ts).
import { main } from "./main";

main(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => (process.exitCode = code),
);
