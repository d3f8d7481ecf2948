// The PX-Backup part of the YAML e2e program in Go, on the Go SDK generated from schema.json and served by the
// provider plugin pulumi-resource-kube-backup. Runs as a Go Automation API inline program (the program runs in
// this process; no pulumi-language-go host), one operation per call on a file backend kept between calls:
//
//	go-e2e up|preview|preview-refresh|up-refresh|destroy
//
// Environment: KB_WORK_DIR (project directory; its Pulumi.yaml names the plugin), KB_PULUMI_ROOT (the CLI is
// KB_PULUMI_ROOT/bin/pulumi), KB_CONFIG (JSON: key -> {"value", "secret"}), PULUMI_HOME and the rest of the
// engine environment. Prints one JSON line: the summary, the resource steps and the outputs.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/kube-backup/kube-backup/sdk/go/kubebackup"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	credential, err := kubebackup.NewCloudCredential(ctx, "credential", &kubebackup.CloudCredentialArgs{
		Name: pulumi.String("s3-credential"),
		Type: kubebackup.CloudCredentialArgsTypeAWS,
		AwsConfig: kubebackup.CloudCredentialArgsAwsConfigArgs{
			AccessKey: cfg.RequireSecret("accessKey"),
			SecretKey: cfg.RequireSecret("secretKey"),
		},
	})
	if err != nil {
		return err
	}
	location, err := kubebackup.NewBackupLocation(ctx, "location", &kubebackup.BackupLocationArgs{
		Name:               pulumi.String("s3-location"),
		Type:               kubebackup.BackupLocationArgsTypeS3,
		Path:               pulumi.String(cfg.Require("bucket")),
		CloudCredentialRef: kubebackup.ObjectRefArgsArgs{Name: pulumi.String("s3-credential")},
		S3Config: kubebackup.BackupLocationArgsS3ConfigArgs{
			Endpoint:   pulumi.String(cfg.Require("s3Endpoint")),
			Region:     pulumi.String("us-east-1"),
			DisableSsl: pulumi.Bool(true),
		},
	}, pulumi.DependsOn([]pulumi.Resource{credential}))
	if err != nil {
		return err
	}
	policy, err := kubebackup.NewSchedulePolicy(ctx, "policy", &kubebackup.SchedulePolicyArgs{
		Name:     pulumi.String("every-interval"),
		Interval: kubebackup.SchedulePolicyArgsIntervalArgs{Minutes: pulumi.Float64(15), Retain: pulumi.Float64(5)},
	})
	if err != nil {
		return err
	}
	cluster, err := kubebackup.NewCluster(ctx, "cluster", &kubebackup.ClusterArgs{
		Name:       pulumi.String("app-cluster"),
		Kubeconfig: cfg.RequireSecret("kubeconfig"),
	})
	if err != nil {
		return err
	}
	schedule, err := kubebackup.NewBackupSchedule(ctx, "schedule", &kubebackup.BackupScheduleArgs{
		Name:              pulumi.String("app-schedule"),
		SchedulePolicyRef: kubebackup.ObjectRefArgsArgs{Name: pulumi.String("every-interval")},
		BackupLocationRef: kubebackup.ObjectRefArgsArgs{Name: pulumi.String("s3-location")},
		ClusterRef:        kubebackup.ObjectRefArgsArgs{Name: pulumi.String("app-cluster")},
		Namespaces:        pulumi.StringArray{pulumi.String("app"), pulumi.String("db")},
		ReclaimPolicy:     kubebackup.BackupScheduleArgsReclaimPolicyDELETE,
	}, pulumi.DependsOn([]pulumi.Resource{policy, location, cluster}))
	if err != nil {
		return err
	}
	ctx.Export("scheduleId", schedule.ID())
	ctx.Export("scheduleNamespaces", schedule.Namespaces)
	return nil
}

type step struct {
	Op        string         `json:"op"`
	URN       string         `json:"urn"`
	Type      string         `json:"type"`
	Diffs     []string       `json:"diffs"`
	OldInputs map[string]any `json:"oldInputs,omitempty"`
	NewInputs map[string]any `json:"newInputs,omitempty"`
}

type result struct {
	Result      string         `json:"result,omitempty"`
	Steps       []step         `json:"steps"`
	Diagnostics []string       `json:"diagnostics"`
	Outputs     map[string]any `json:"outputs"`
}

// record collects the resource steps and the warnings of one operation from its engine events.
func record(r *result) (chan events.EngineEvent, chan struct{}) {
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			if p := e.ResourcePreEvent; p != nil {
				s := step{Op: string(p.Metadata.Op), URN: p.Metadata.URN, Type: p.Metadata.Type, Diffs: p.Metadata.Diffs}
				if s.Diffs == nil {
					s.Diffs = []string{}
				}
				if p.Metadata.Old != nil {
					s.OldInputs = p.Metadata.Old.Inputs
				}
				if p.Metadata.New != nil {
					s.NewInputs = p.Metadata.New.Inputs
				}
				r.Steps = append(r.Steps, s)
			}
			if d := e.DiagnosticEvent; d != nil && (d.Severity == "warning" || d.Severity == "error") {
				r.Diagnostics = append(r.Diagnostics, d.Severity+": "+strings.TrimSpace(d.Message))
			}
		}
	}()
	return ch, done
}

func run(op string) (*result, error) {
	ctx := context.Background()
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: os.Getenv("KB_PULUMI_ROOT")})
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PULUMI_") || k == "PATH" || k == "HOME" {
			env[k] = v
		}
	}
	s, err := auto.UpsertStackInlineSource(ctx, "e2e", "kube-backup-go", program,
		auto.WorkDir(os.Getenv("KB_WORK_DIR")), auto.PulumiHome(os.Getenv("PULUMI_HOME")), auto.EnvVars(env),
		auto.Pulumi(cmd), auto.SecretsProvider("passphrase"))
	if err != nil {
		return nil, err
	}
	var cfg map[string]struct {
		Value  string `json:"value"`
		Secret bool   `json:"secret"`
	}
	if err := json.Unmarshal([]byte(os.Getenv("KB_CONFIG")), &cfg); err != nil {
		return nil, fmt.Errorf("KB_CONFIG: %w", err)
	}
	configMap := auto.ConfigMap{}
	for k, v := range cfg {
		configMap[k] = auto.ConfigValue{Value: v.Value, Secret: v.Secret}
	}
	if err := s.SetAllConfig(ctx, configMap); err != nil {
		return nil, err
	}
	r := &result{Steps: []step{}, Diagnostics: []string{}}
	ch, done := record(r)
	switch op {
	case "up", "up-refresh":
		opts := []optup.Option{optup.EventStreams(ch)}
		if op == "up-refresh" {
			opts = append(opts, optup.Refresh())
		}
		var res auto.UpResult
		res, err = s.Up(ctx, opts...)
		r.Result = res.Summary.Result
	case "preview", "preview-refresh":
		opts := []optpreview.Option{optpreview.EventStreams(ch)}
		if op == "preview-refresh" {
			opts = append(opts, optpreview.Refresh())
		}
		_, err = s.Preview(ctx, opts...)
	case "destroy":
		var res auto.DestroyResult
		res, err = s.Destroy(ctx, optdestroy.EventStreams(ch))
		r.Result = res.Summary.Result
	default:
		close(ch)
		return nil, fmt.Errorf("unknown operation %q", op)
	}
	<-done
	if err != nil {
		return nil, err
	}
	outs, err := s.Outputs(ctx)
	if err != nil {
		return nil, err
	}
	r.Outputs = map[string]any{}
	for k, v := range outs {
		r.Outputs[k] = v.Value
	}
	return r, nil
}

func main() {
	r, err := run(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-e2e:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}
