#!/usr/bin/env node
// A stand-in for Pulumi's Go `pulumi-language-nodejs` host, whose module the Go module proxy here does not serve
// (see test/e2e/toolchain.sh). It lets the real CLI run directory programs (`pulumi preview/up` next to a
// Pulumi.yaml with `runtime: nodejs`); Automation API inline programs do not need any host.
//
// It implements the LanguageRuntime calls `preview`, `up`, `refresh` and `destroy` make, using the gRPC stubs
// that ship in @pulumi/pulumi, and runs the program with the same @pulumi/pulumi `cmd/run` entry point the Go
// host runs. Calls it does not implement answer UNIMPLEMENTED, which the engine handles (e.g.
// GetRequiredPackages falls back to GetRequiredPlugins). Not covered: `pulumi new/install/convert/package`.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");
const grpc = require("@grpc/grpc-js");
const languageProto = require("@pulumi/pulumi/proto/language_pb.js");
const languageRpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const pluginProto = require("@pulumi/pulumi/proto/plugin_pb.js");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb.js");

const engineAddress = process.argv[process.argv.length - 1];
const version = require("@pulumi/pulumi/package.json").version;

// Resolves a module from the program's own node_modules first, as the Go host does.
function resolveFrom(dir, request) {
  try {
    return require.resolve(request, { paths: [dir] });
  } catch {
    return require.resolve(request);
  }
}

// Plugins the program's direct dependencies declare (package.json `pulumi.resource`), so the engine can check
// that they are installed before running it.
function requiredPlugins(programDir) {
  const plugins = [];
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(programDir, "package.json"), "utf8"));
  } catch {
    return plugins;
  }
  const deps = { ...(pkg.dependencies || {}), ...(pkg.devDependencies || {}) };
  for (const name of Object.keys(deps)) {
    let meta;
    try {
      meta = JSON.parse(fs.readFileSync(resolveFrom(programDir, `${name}/package.json`), "utf8"));
    } catch {
      continue;
    }
    if (!meta.pulumi || !meta.pulumi.resource) continue;
    const dep = new pluginProto.PluginDependency();
    dep.setName(meta.pulumi.name || name.replace(/^@pulumi\//, ""));
    dep.setKind("resource");
    dep.setVersion(meta.pulumi.version || meta.version);
    if (meta.pulumi.server) dep.setServer(meta.pulumi.server);
    plugins.push(dep);
  }
  return plugins;
}

function programDirOf(info, fallback) {
  return (info && info.getProgramDirectory()) || fallback || process.cwd();
}

function runtimeOptions(info) {
  const options = info && info.getOptions();
  return options ? options.toJavaScript() : {};
}

const service = {
  handshake(call, callback) {
    callback(null, new languageProto.LanguageHandshakeResponse());
  },
  getPluginInfo(call, callback) {
    const info = new pluginProto.PluginInfo();
    info.setVersion(version);
    callback(null, info);
  },
  getRequiredPlugins(call, callback) {
    const res = new languageProto.GetRequiredPluginsResponse();
    res.setPluginsList(requiredPlugins(programDirOf(call.request.getInfo(), call.request.getProgram())));
    callback(null, res);
  },
  getProgramDependencies(call, callback) {
    callback(null, new languageProto.GetProgramDependenciesResponse());
  },
  about(call, callback) {
    const res = new languageProto.AboutResponse();
    res.setExecutable(process.execPath);
    res.setVersion(process.version);
    callback(null, res);
  },
  runtimeOptionsPrompts(call, callback) {
    callback(null, new languageProto.RuntimeOptionsResponse());
  },
  installDependencies(call) {
    call.end(); // dependencies come from `npm ci` in this repo
  },
  cancel(call, callback) {
    callback(null, new Empty());
  },
  run(call, callback) {
    const req = call.request;
    const info = req.getInfo();
    const programDir = programDirOf(info, req.getPwd());
    const options = runtimeOptions(info);
    const entry = (info && info.getEntryPoint()) || ".";
    const runScript = resolveFrom(programDir, "@pulumi/pulumi/cmd/run");
    const args = [
      runScript,
      `--monitor=${req.getMonitorAddress()}`,
      `--engine=${engineAddress}`,
      `--organization=${req.getOrganization()}`,
      `--project=${req.getProject()}`,
      `--stack=${req.getStack()}`,
      `--pwd=${req.getPwd() || programDir}`,
      `--parallel=${req.getParallel()}`,
    ];
    if (info && info.getRootDirectory()) args.push(`--root-directory=${info.getRootDirectory()}`);
    if (req.getDryrun()) args.push("--dry-run");
    args.push(entry, ...req.getArgsList());

    const config = {};
    req.getConfigMap().forEach((value, key) => {
      config[key] = value;
    });
    const env = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
      PULUMI_NODEJS_TYPESCRIPT: options.typescript === false ? "false" : "true",
    };
    if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    const nodeArgs = options.nodeargs ? String(options.nodeargs).split(/\s+/).filter(Boolean) : [];

    const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: programDir, env, stdio: "inherit" });
    child.on("error", (err) => callback(null, runResponse(`failed to start node: ${err.message}`, false)));
    child.on("exit", (code, signal) => {
      if (code === 0) return callback(null, runResponse("", false));
      // 32: the program already reported an actionable error to the user (see @pulumi/pulumi cmd/run).
      if (code === 32) return callback(null, runResponse("", true));
      callback(null, runResponse(`Program exited with ${signal ? `signal ${signal}` : `non-zero exit code: ${code}`}`, false));
    });
  },
};

function runResponse(error, bail) {
  const res = new languageProto.RunResponse();
  res.setError(error);
  res.setBail(bail);
  return res;
}

const server = new grpc.Server();
server.addService(languageRpc.LanguageRuntimeService, service);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`pulumi-language-nodejs: cannot listen: ${err.message}`);
    process.exit(1);
  }
  // The engine reads the port from the first line of stdout.
  process.stdout.write(`${port}\n`);
});
