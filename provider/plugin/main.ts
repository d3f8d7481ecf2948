// Entry point of the provider plugin `pulumi-resource-kube-backup` (the launcher in plugin/ runs this file):
// the engine starts it with its own address as the last argument and reads the port from stdout.
import { serve } from "./server";

serve(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
});
