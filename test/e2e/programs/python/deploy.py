"""The YAML e2e program (test/e2e/programs/yaml) in Python, on the SDK generated from schema.json
(pulumi_kube_backup, pip-installed from its folder) and served by the provider plugin pulumi-resource-kube-backup.

Runs as an Automation API inline program: the pulumi SDK serves the language runtime in this process, so no
pulumi-language-python host is needed. One operation per call, on a file backend that persists between calls:

    python deploy.py up|preview|preview-refresh|up-refresh|destroy|outputs|preview-bad

(preview-bad previews, on its own stack, a program with values of the wrong type and reports the error.)

Environment: KB_WORK_DIR (project directory, whose Pulumi.yaml names the plugin in plugins.providers), KB_PULUMI_ROOT (the CLI is KB_PULUMI_ROOT/bin/pulumi), KB_CONFIG
(JSON: key -> {"value", "secret"}), plus PULUMI_HOME, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE and a PATH that
finds the plugin. Prints one JSON line: the summary, the steps and the outputs.
"""

import json
import os
import sys

import pulumi
import pulumi_kubernetes as k8s
import pulumi_kube_backup as kb
from pulumi import automation as auto


def program() -> None:
    config = pulumi.Config()
    credential = kb.CloudCredential(
        "credential",
        name="s3-credential",
        type="AWS",
        aws_config={"access_key": config.require_secret("accessKey"), "secret_key": config.require_secret("secretKey")},
    )
    location = kb.BackupLocation(
        "location",
        name="s3-location",
        type="S3",
        path=config.require("bucket"),
        cloud_credential_ref={"name": "s3-credential"},
        s3_config={"endpoint": config.require("s3Endpoint"), "region": "us-east-1", "disable_ssl": True},
        opts=pulumi.ResourceOptions(depends_on=[credential]),
    )
    policy = kb.SchedulePolicy("policy", name="every-interval", interval={"minutes": 15, "retain": 5})
    cluster = kb.Cluster("cluster", name="app-cluster", kubeconfig=config.require_secret("kubeconfig"))
    schedule = kb.BackupSchedule(
        "schedule",
        name="app-schedule",
        # References through the objects' outputs: they also order the creation.
        schedule_policy_ref={"name": policy.name, "uid": policy.uid},
        backup_location_ref={"name": location.name, "uid": location.uid},
        cluster_ref={"name": cluster.name},
        namespaces=["app", "db"],
        reclaim_policy="Delete",
    )
    provider = k8s.Provider("k8s", kubeconfig=config.require_secret("kubeconfig"))
    ns = k8s.core.v1.Namespace(
        "backups",
        metadata={"name": config.require("namespace")},
        opts=pulumi.ResourceOptions(provider=provider),
    )
    etcd = kb.EtcdBackupSchedule(
        "etcd",
        namespace=ns.metadata.name,
        schedule="0 2 * * *",
        retention=5,
        endpoint="https://10.0.0.10:2379",
        certificates={
            "ca_crt": config.require("etcdCa"),
            "client_crt": config.require("etcdCert"),
            "client_key": config.require_secret("etcdKey"),
        },
        storage={
            "bucket": {
                "bucket": config.require("bucket"),
                "endpoint": config.require("s3Endpoint"),
                "region": "us-east-1",
                "force_path_style": True,
            },
            "prefix": "python/etcd",
        },
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    pulumi.export("scheduleId", schedule.id)
    pulumi.export("scheduleNamespaces", schedule.namespaces)
    pulumi.export("etcdCronJob", etcd.cron_job_name)


def bad_program() -> None:
    # Values a Python program can pass that the TypeScript types would have refused: the plugin's check must
    # name each property at preview time.
    kb.BackupSchedule(
        "bad-schedule",
        schedule_policy_ref={"name": "every-interval"},
        backup_location_ref={"name": "s3-location"},
        cluster_ref={"name": "app-cluster"},
        reclaim_policy="Sometimes",
        suspend="yes",
    )


def main() -> None:
    op = sys.argv[1]
    work_dir = os.environ["KB_WORK_DIR"]
    env = {k: v for k, v in os.environ.items() if k.startswith("PULUMI_") or k in ("PATH", "HOME")}
    stack = auto.create_or_select_stack(
        stack_name="bad" if op == "preview-bad" else "e2e",
        project_name="kube-backup-python",
        program=bad_program if op == "preview-bad" else program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=work_dir,
            pulumi_home=os.environ["PULUMI_HOME"],
            env_vars=env,
            pulumi_command=auto.PulumiCommand(root=os.environ["KB_PULUMI_ROOT"]),
            secrets_provider="passphrase",
        ),
    )
    stack.set_all_config(
        {k: auto.ConfigValue(value=v["value"], secret=bool(v.get("secret"))) for k, v in json.loads(os.environ["KB_CONFIG"]).items()}
    )
    steps = []
    diagnostics = []

    def on_event(e: auto.EngineEvent) -> None:
        d = e.diagnostic_event
        if d is not None and d.severity in ("warning", "error"):
            diagnostics.append(f"{d.severity}: {d.message}")
        pre = e.resource_pre_event
        if pre is not None:
            m = pre.metadata
            steps.append(
                {
                    "op": m.op.value if hasattr(m.op, "value") else str(m.op),
                    "urn": m.urn,
                    "type": m.type,
                    "diffs": list(m.diffs or []),
                    "oldInputs": m.old.inputs if m.old else None,
                    "newInputs": m.new.inputs if m.new else None,
                }
            )

    result: dict = {}
    if op == "up" or op == "up-refresh":
        r = stack.up(refresh=op == "up-refresh", on_event=on_event)
        result["summary"] = {"result": r.summary.result, "resourceChanges": r.summary.resource_changes}
    elif op == "preview" or op == "preview-refresh":
        r = stack.preview(refresh=op == "preview-refresh", on_event=on_event)
        result["changeSummary"] = {k.value if hasattr(k, "value") else str(k): v for k, v in r.change_summary.items()}
    elif op == "destroy":
        r = stack.destroy(on_event=on_event)
        result["summary"] = {"result": r.summary.result, "resourceChanges": r.summary.resource_changes}
    elif op == "preview-bad":
        try:
            stack.preview(on_event=on_event)
            result["error"] = None
        except auto.CommandError as e:
            result["error"] = str(e)
        stack.workspace.remove_stack("bad")
        print(json.dumps({"error": result["error"]}))
        return
    elif op != "outputs":
        raise SystemExit(f"unknown operation {op!r}")
    result["steps"] = steps
    result["diagnostics"] = diagnostics
    result["outputs"] = {k: v.value for k, v in stack.outputs().items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
