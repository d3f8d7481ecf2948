// The one script renderer. The scripts are fixed text: every user value (bucket, prefix, names, endpoints, the
// producer command) reaches them as environment variables or as "$@", never spliced into the text, so no value
// can change what the shell runs. Both schedules use the same upload/verify/prune script; the snapshot strategy
// reuses its retention selection (`select_expired`).
//
// Written for POSIX sh (dash, busybox ash, bash): `set -eu`, pipefail where the shell has it, and explicit exit
// status capture for every pipeline stage so a failing tar/compressor is caught even without pipefail.

// String.raw keeps backslashes; "\${" is the only escape needed (turned back into "${" below).
const raw = (s: TemplateStringsArray, ...subs: string[]) => String.raw(s, ...subs).replace(/\\\$\{/g, "${");

/** Shell functions shared by every script: logging, failure, and the retention selection. */
const COMMON = raw`set -eu
if (set -o pipefail) 2>/dev/null; then set -o pipefail; PIPEFAIL=true; else PIPEFAIL=false; fi
export LC_ALL=C
# HASHER: prints the sha256 of stdin as its first word. openssl uses the CPU's SHA instructions (about 10x
# coreutils sha256sum here); sha256sum is the fallback when the image has no openssl. hash256: just the hex.
if command -v openssl >/dev/null 2>&1; then HASHER="openssl dgst -sha256 -r"; else HASHER=sha256sum; fi
hash256() { $HASHER | cut -d' ' -f1; }
log() { printf '%s kube-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# select_expired KEEP NEWTS OBJECTS: the one retention rule. OBJECTS has lines "<timestamp> <D|M|C> <id>": D is a
# backup, M its completeness marker, C a companion artefact. A backup counts only with its marker. The KEEP newest
# complete backups stay; every object older than the oldest kept one goes (older backups, their markers and
# companions, and leftovers of failed runs). Refuses (non-zero, nothing selected) unless the backup just written
# (NEWTS) is complete and among the kept ones. Writes $OBJECTS.expired-markers then $OBJECTS.expired-objects:
# markers are deleted first, so an interrupted prune leaves incomplete objects, never a complete-looking one.
select_expired() {
  case "$1" in ''|*[!0-9]*) die "retention must be an integer >= 1 (got '$1')";; esac
  [ "$1" -ge 1 ] || die "refusing to prune with retention < 1"
  : > "$3.expired-markers"; : > "$3.expired-objects"
  awk '$2 == "D" { d[$1] = 1 } $2 == "M" { m[$1] = 1 } END { for (t in d) if (t in m) print t }' "$3" | sort -r > "$3.complete"
  grep -qxF "$2" "$3.complete" || die "the new backup ($2) is not listed as complete; not pruning"
  head -n "$1" "$3.complete" > "$3.keep"
  grep -qxF "$2" "$3.keep" || die "the new backup ($2) is not among the newest $1 (clock skew?); not pruning"
  cutoff=$(tail -n 1 "$3.keep")
  awk -v c="$cutoff" '$1 < c && $2 == "M" { print $3 }' "$3" | sort -u > "$3.expired-markers"
  awk -v c="$cutoff" '$1 < c && $2 != "M" { print $3 }' "$3" | sort -u > "$3.expired-objects"
  log "retention: $(wc -l < "$3.complete" | tr -d ' ') complete backup(s), keeping $(wc -l < "$3.keep" | tr -d ' ') (newest $1), removing $(wc -l < "$3.expired-objects" | tr -d ' ') object(s) older than $cutoff"
}
`;

/**
 * rclone set-up shared by the scripts that touch the bucket, by environment only: remote "kbs3" is the bucket's
 * store, "kbcrypt" (when BACKUP_ENCRYPTION_PASSWORD is set) encrypts/decrypts over it. Needs $WORK; sets RAW (the
 * bucket, as stored), DATA (where backup data is read and written: RAW or the crypt remote) and ENCRYPTED.
 */
const RCLONE_REMOTES = raw`
# rclone is configured by environment only: remote "kbs3" is the bucket's store; credentials stay in the AWS_*
# variables (env_auth), never on a command line. No config file is read.
export RCLONE_CONFIG="$WORK/rclone.conf"
export RCLONE_CONFIG_KBS3_TYPE=s3
export RCLONE_CONFIG_KBS3_ENV_AUTH=true
if [ -n "\${S3_ENDPOINT_URL:-}" ]; then
  export RCLONE_CONFIG_KBS3_PROVIDER=Other RCLONE_CONFIG_KBS3_ENDPOINT="$S3_ENDPOINT_URL"
else
  export RCLONE_CONFIG_KBS3_PROVIDER=AWS
fi
if [ -n "\${S3_REGION:-}" ]; then export RCLONE_CONFIG_KBS3_REGION="$S3_REGION"; fi
if [ "\${S3_FORCE_PATH_STYLE:-false}" = true ]; then export RCLONE_CONFIG_KBS3_FORCE_PATH_STYLE=true
else export RCLONE_CONFIG_KBS3_FORCE_PATH_STYLE=false; fi
if [ -n "\${S3_CA_BUNDLE:-}" ]; then export RCLONE_CA_CERT="$S3_CA_BUNDLE"; fi
if [ "\${S3_INSECURE_SKIP_TLS_VERIFY:-false}" = true ]; then export RCLONE_NO_CHECK_CERTIFICATE=true; fi
# The bucket exists (creating it is not this job's business, nor its credential's); no ACL header.
export RCLONE_CONFIG_KBS3_NO_CHECK_BUCKET=true RCLONE_CONFIG_KBS3_BUCKET_ACL=private
# Part size: a stream may have at most 10,000 parts, so the chunk size bounds the largest stream (16 MiB: 156 GiB;
# see docs/backup-jobs.md#large-data). Files upload 4 parts at a time (their size is known; memory is not the
# limit there); streams one part at a time (stream_upload), so they hold one chunk.
export RCLONE_CONFIG_KBS3_CHUNK_SIZE="\${BACKUP_CHUNK_SIZE:-16M}" RCLONE_CONFIG_KBS3_UPLOAD_CONCURRENCY=4
export RCLONE_CONFIG_KBS3_UPLOAD_CUTOFF=16M RCLONE_STREAMING_UPLOAD_CUTOFF=1M
# Part buffers from mmap are returned to the system when freed (a lower, flatter peak RSS than Go's heap).
export RCLONE_USE_MMAP=true
# Bounded retries (2 x 3 attempts, 10 s to connect): an unreachable store fails the run within about a minute.
export RCLONE_LOG_LEVEL=ERROR RCLONE_STATS=0 RCLONE_RETRIES=2 RCLONE_LOW_LEVEL_RETRIES=3 RCLONE_CONTIMEOUT=10s
RAW="kbs3:$BACKUP_BUCKET"
DATA=$RAW
ENCRYPTED=false
# Client-side encryption: remote "kbcrypt" (rclone crypt) over the bucket, file names kept as they are (no
# encryption, no suffix) so retention still works on the key shape. The password only ever reaches rclone in
# obscured form, through the environment.
if [ -n "\${BACKUP_ENCRYPTION_PASSWORD:-}" ]; then
  export RCLONE_CONFIG_KBCRYPT_TYPE=crypt RCLONE_CONFIG_KBCRYPT_REMOTE="$RAW"
  export RCLONE_CONFIG_KBCRYPT_FILENAME_ENCRYPTION=off RCLONE_CONFIG_KBCRYPT_DIRECTORY_NAME_ENCRYPTION=false
  export RCLONE_CONFIG_KBCRYPT_SUFFIX=none
  RCLONE_CONFIG_KBCRYPT_PASSWORD=$(printf '%s\n' "$BACKUP_ENCRYPTION_PASSWORD" | rclone obscure -) || die "rclone obscure failed"
  export RCLONE_CONFIG_KBCRYPT_PASSWORD
  if [ -n "\${BACKUP_ENCRYPTION_SALT:-}" ]; then
    RCLONE_CONFIG_KBCRYPT_PASSWORD2=$(printf '%s\n' "$BACKUP_ENCRYPTION_SALT" | rclone obscure -) || die "rclone obscure failed"
    export RCLONE_CONFIG_KBCRYPT_PASSWORD2
  fi
  unset BACKUP_ENCRYPTION_PASSWORD BACKUP_ENCRYPTION_SALT
  DATA="kbcrypt:"
  ENCRYPTED=true
fi
`;

/**
 * Upload/verify/prune for one backup, with rclone as the one S3 tool. Environment:
 *   BACKUP_BUCKET, BACKUP_PREFIX, BACKUP_NAME, BACKUP_EXT, BACKUP_KEEP       where and how many
 *   BACKUP_SOURCE=file + BACKUP_FILE                                         upload a finished file (etcd)
 *   BACKUP_SOURCE=stream + "$@" (producer argv) + BACKUP_COMPRESSION         stream producer | compressor
 *   BACKUP_ETCD_SNAPSHOT=true                                                verify the file as an etcd snapshot
 *   BACKUP_EXTRA_DIR                                                         optional directory stored alongside
 *   BACKUP_CHUNK_SIZE                                                        stream part size (e.g. "16M")
 *   BACKUP_ENCRYPTION_PASSWORD [+ BACKUP_ENCRYPTION_SALT]                    client-side encryption (rclone crypt)
 *   S3_ENDPOINT_URL, S3_REGION, S3_FORCE_PATH_STYLE, S3_CA_BUNDLE, S3_INSECURE_SKIP_TLS_VERIFY, AWS_* credentials
 * Object: $BACKUP_BUCKET/$BACKUP_PREFIX/$BACKUP_NAME-<yyyymmddThhmmssZ>-<8 hex run ID>$BACKUP_EXT, then
 * "<key>.sha256" (sha256sum format, over the plaintext) written last as the completeness marker. Any failure exits
 * non-zero before pruning. BACKUP_SOURCE_EXIT1_WARNS=true: a producer exit status 1 is a warning (GNU tar's
 * "file changed").
 */
export const BACKUP_SCRIPT =
    COMMON +
    raw`
# Kubernetes Events (opt-in: BACKUP_EVENTS_DIR holds a service-account token and the cluster CA). The API server
# is asked with rclone's HTTP client ("rclone rc" POSTs a JSON body to any URL), verified against that CA; the
# token reaches rclone through its environment (RCLONE_HEADER), never a command line. Posting is best effort.
post_event() {
  [ -n "\${BACKUP_EVENTS_DIR:-}" ] || return 0
  h=\${KUBERNETES_SERVICE_HOST:-}
  case "$h" in *:*) h="[$h]" ;; esac
  ns=\${BACKUP_EVENT_NAMESPACE:-} cj=\${BACKUP_EVENT_CRONJOB:-}
  case "$ns$cj" in ''|*[!a-z0-9.-]*) log "WARNING: no valid namespace or CronJob name for the Kubernetes Event"; return 0 ;; esac
  pod=$(printf '%s' "\${BACKUP_EVENT_POD:-}" | tr -cd 'a-z0-9.-')
  # The message is ours, but may quote a key or an error: no quote, backslash or control character reaches the JSON.
  msg=$(printf '%s' "$3" | tr '"\\' "'/" | tr -d '\000-\037' | cut -c1-900)
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  body=$(printf '{"apiVersion":"v1","kind":"Event","metadata":{"generateName":"%s-","namespace":"%s"},"involvedObject":{"apiVersion":"batch/v1","kind":"CronJob","name":"%s","namespace":"%s"},"type":"%s","reason":"%s","message":"%s","source":{"component":"kube-backup"},"reportingComponent":"kube-backup","reportingInstance":"%s","firstTimestamp":"%s","lastTimestamp":"%s","count":1}' \
    "$cj" "$ns" "$cj" "$ns" "$1" "$2" "$msg" "$pod" "$now" "$now")
  token=$(cat "$BACKUP_EVENTS_DIR/token" 2>/dev/null) || { log "WARNING: no service-account token; Kubernetes Event $2 not posted"; return 0; }
  out=$( (unset RCLONE_CA_CERT RCLONE_NO_CHECK_CERTIFICATE
          RCLONE_HEADER="Authorization: Bearer $token" rclone rc --url "https://$h:\${KUBERNETES_SERVICE_PORT:-443}/api/v1/namespaces/$ns/" \
            --ca-cert "$BACKUP_EVENTS_DIR/ca.crt" --timeout 10s --contimeout 5s --json "$body" events) 2>&1) || true
  # rclone rc prints the response and calls any status but 200 a failure: the API's 201 prints the new Event.
  case "$out" in
    *'"kind": "Event"'*) log "posted Kubernetes Event $2 about cronjob/$cj" ;;
    *) log "WARNING: could not post Kubernetes Event $2: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)" ;;
  esac
}
FAILURE=""
WORK=""
BG=""
die() { FAILURE=$*; log "FAILED: $*"; exit 1; }
on_exit() {
  for p in $BG; do kill "$p" 2>/dev/null || true; done
  if [ "$1" -ne 0 ]; then post_event Warning BackupFailed "\${FAILURE:-the backup exited with status $1}" || true; fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap 'on_exit $?' EXIT
: "\${BACKUP_BUCKET:?}" "\${BACKUP_PREFIX:?}" "\${BACKUP_NAME:?}" "\${BACKUP_EXT:?}" "\${BACKUP_KEEP:?}" "\${BACKUP_SOURCE:?}"
# Same rules as at preview, re-checked so a hand-edited CronJob cannot widen what retention touches.
case "$BACKUP_PREFIX" in ''|/*|*/|*//*|*[!A-Za-z0-9._/-]*) die "BACKUP_PREFIX must be '/'-separated [A-Za-z0-9._-] segments";; esac
case "$BACKUP_NAME$BACKUP_EXT" in *[!A-Za-z0-9._-]*) die "BACKUP_NAME and BACKUP_EXT must be [A-Za-z0-9._-]";; esac
case "$BACKUP_EXT" in .?*) ;; *) die "BACKUP_EXT must start with '.'";; esac
case "$BACKUP_KEEP" in ''|*[!0-9]*) die "BACKUP_KEEP must be an integer >= 1";; esac
[ "$BACKUP_KEEP" -ge 1 ] || die "refusing to run with BACKUP_KEEP < 1"

# Preflight: every external tool this run will call, checked before any side effect (no temp dir, no request).
need="rclone awk cat cut date dd grep head ls mkfifo mktemp od rm sed sort tail tee tr wc"
if ! command -v openssl >/dev/null 2>&1; then need="$need sha256sum"; fi
case "$BACKUP_SOURCE" in
  stream)
    [ "$#" -gt 0 ] || die "BACKUP_SOURCE=stream needs a producer command"
    need="$need $1"
    case "\${BACKUP_COMPRESSION:-none}" in gzip) need="$need gzip" ;; zstd) need="$need zstd" ;; esac ;;
esac
if [ -n "\${BACKUP_EXTRA_DIR:-}" ]; then need="$need tar gzip"; fi
for tool in $need; do
  command -v "$tool" >/dev/null 2>&1 || die "preflight: '$tool' is not in this image (PATH=$PATH); nothing was done"
done

WORK=$(mktemp -d "\${TMPDIR:-/tmp}/kube-backup.XXXXXX")
UPLOADED=""
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

` +
    RCLONE_REMOTES +
    raw`

# Removes what this run uploaded (never anything else); such objects have no marker, so retention ignores them anyway.
fail() {
  for k in $UPLOADED; do
    rclone deletefile "$RAW/$k" >/dev/null 2>&1 || log "could not remove incomplete $k"
  done
  die "$@"
}

# Keys are unique per run (timestamp plus 8 random hex digits), so no run can overwrite, or on failure delete,
# an object another run made, even in the same second.
TS=$(date -u +%Y%m%dT%H%M%SZ)
RUN=$(od -An -v -N4 -tx1 /dev/urandom | tr -d ' \n')
case "$RUN" in ????????) ;; *) die "cannot read /dev/urandom for the run ID" ;; esac
ID="$TS-$RUN"
BASE="$BACKUP_NAME-$ID$BACKUP_EXT"
KEY="$BACKUP_PREFIX/$BASE"

# stream_upload KEY COMPRESSION PRODUCER...: producer | compressor | tee(sha256) | rclone rcat. Nothing is staged
# on disk. rclone rcat itself fails the upload unless the store's size (a HEAD after the upload) equals the bytes
# it read, and checks the multipart ETag against the parts it sent; so no byte count runs here. One part is
# uploaded at a time, read straight into its chunk (no read-ahead), and the Go heap is collected early (GOGC=25):
# memory is rclone's own plus one chunk, whatever the stream's size.
# With pipefail (busybox ash, bash) the pipeline's status covers the compressor, tee and rclone, and only the
# producer runs in a wrapper (its exit status 1 may be a warning); without it every stage records its status.
# The hash is a direct child reading a fifo: few processes, as each one's memory counts against the container.
stream_upload() {
  key=$1 comp=$2; shift 2
  case "$comp" in gzip|zstd|none) ;; *) fail "unknown compression '$comp'" ;; esac
  rm -f "$WORK"/rc.* "$WORK/sum.fifo"
  mkfifo "$WORK/sum.fifo"
  $HASHER < "$WORK/sum.fifo" > "$WORK/sum.out" & sumpid=$!
  BG="$BG $sumpid"
  UPLOADED="$UPLOADED $key"
  stages=source
  # (rclone rcat is written out in each branch: as the last stage of a pipeline a shell function would be one
  # more process.)
  if [ "$PIPEFAIL" = true ]; then
    case "$comp" in
      gzip) produce "$@" | gzip -c | tee "$WORK/sum.fifo" | GOGC=25 rclone rcat --s3-upload-concurrency 1 --buffer-size 0 "$DATA/$key" ;;
      zstd) produce "$@" | zstd -q -c | tee "$WORK/sum.fifo" | GOGC=25 rclone rcat --s3-upload-concurrency 1 --buffer-size 0 "$DATA/$key" ;;
      none) produce "$@" | tee "$WORK/sum.fifo" | GOGC=25 rclone rcat --s3-upload-concurrency 1 --buffer-size 0 "$DATA/$key" ;;
    esac || fail "upload of $key failed (the compressor, tee or rclone exited non-zero; see above)"
  else
    stages="source compress tee"
    produce "$@" \
      | { rc=0; compress "$comp" || rc=$?; echo "$rc" > "$WORK/rc.compress"; } \
      | { rc=0; tee "$WORK/sum.fifo" || rc=$?; echo "$rc" > "$WORK/rc.tee"; } \
      | GOGC=25 rclone rcat --s3-upload-concurrency 1 --buffer-size 0 "$DATA/$key" \
      || fail "upload of $key failed"
  fi
  for stage in $stages; do
    rc=$(cat "$WORK/rc.$stage" 2>/dev/null || echo missing)
    # GNU tar exits 1 when a file changed while it was read (a live volume); the archive holds it as read.
    if [ "$stage" = source ] && [ "$rc" = 1 ] && [ "\${BACKUP_SOURCE_EXIT1_WARNS:-false}" = true ]; then
      log "WARNING: $1 exited with status 1 (files changed while being read); the archive holds them as read"
      continue
    fi
    [ "$rc" = 0 ] || fail "$stage stage of $key exited with status $rc"
  done
  wait "$sumpid" || fail "sha256 of $key failed"
  SHA=$(cut -d' ' -f1 "$WORK/sum.out")
  # The sha256 of nothing: the producer wrote no bytes.
  [ "$SHA" != e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ] || fail "$key is empty"
  SIZE=""
}

# produce PRODUCER...: runs the producer and records its exit status in rc.source.
produce() {
  rc=0; "$@" || rc=$?; echo "$rc" > "$WORK/rc.source"
}

compress() {
  case "$1" in
    gzip) gzip -c ;;
    zstd) zstd -q -c ;;
    none) cat ;;
  esac
}

# file_size FILE: its size in bytes from the directory entry (busybox wc -c reads the whole file).
file_size() { ls -ln "$1" | awk '{ print $5 }'; }

# file_hashes FILE SUMFILE [BODYSUMFILE BODYBYTES]: sha256 of FILE (and of its first BODYBYTES bytes, a multiple
# of 512) with rclone's hasher (the CPU's SHA instructions: several times busybox sha256sum), one after the
# other, so beside an upload at most one more rclone runs. dd, not busybox head -c (which copies byte-wise).
file_hashes() {
  rclone hashsum sha256 "$1" > "$2.out" || return 1
  cut -d' ' -f1 "$2.out" > "$2"
  if [ "$#" -eq 4 ]; then
    { dd bs=1048576 count=$(($4 / 1048576)) && dd bs=512 count=$((($4 % 1048576) / 512)); } < "$1" 2>/dev/null \
      | rclone hashsum sha256 > "$3.out" || return 1
    cut -d' ' -f1 "$3.out" > "$3"
  fi
}

# upload_file FILE KEY [METADATA...]: the caller has started hashing FILE; both read the same page-cached file.
# rclone copyto reads the object back (HEAD) and fails on a size mismatch itself; each part still carries its
# Content-MD5. --s3-disable-checksum skips only rclone's whole-file MD5 pass before a multipart upload (for its
# md5chksum metadata, which nothing here reads: the marker's SHA-256 is the check). METADATA are k=v pairs stored
# as the object's user metadata (x-amz-meta-k).
upload_file() {
  f=$1 k=$2; shift 2
  UPLOADED="$UPLOADED $k"
  for kv in "$@"; do set -- "$@" --metadata-set "$kv"; shift; done
  if [ "$#" -gt 0 ]; then set -- --metadata "$@"; fi
  rclone copyto --s3-disable-checksum "$@" "$f" "$DATA/$k" || fail "upload of $k failed"
}

# list_prefix: the names directly under the prefix, for retention, into $WORK/names.
list_prefix() { rclone lsf --files-only "$RAW/$BACKUP_PREFIX/" > "$WORK/names"; }

# rd FILE OFFSET N: unsigned N-byte integer (host byte order, as bbolt writes it) at OFFSET.
rd() { od -An -v -j "$2" -N "$3" -tu"$3" "$1" | tr -d ' \n'; }
hexat() { od -An -v -j "$2" -N "$3" -tx1 "$1" | tr -d ' \n'; }
hex_gt() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort | tail -n 1)" = "$1" ]; }
# bbolt_find FILE PAGESIZE PAGEOFFSET KEYHEX: offset of KEYHEX's value in the B+tree rooted at PAGEOFFSET.
bbolt_find() {
  f=$1 ps=$2 page=$3 want=$4
  while :; do
    flags=$(rd "$f" $((page + 8)) 2); count=$(rd "$f" $((page + 10)) 2); i=0; next=""
    while [ "$i" -lt "$count" ]; do
      e=$((page + 16 + 16 * i))
      if [ $((flags & 1)) -ne 0 ]; then pos=$(rd "$f" "$e" 4); ks=$(rd "$f" $((e + 4)) 4)
      else pos=$(rd "$f" $((e + 4)) 4); ks=$(rd "$f" $((e + 8)) 4); fi
      key=$(hexat "$f" $((e + pos)) "$ks")
      if [ $((flags & 2)) -ne 0 ]; then
        if [ "$key" = "$want" ]; then echo $((e + pos + ks)); return 0; fi
      elif [ "$i" -eq 0 ] || ! hex_gt "$key" "$want"; then
        next=$(( $(rd "$f" $((e + 8)) 8) * ps ))
      fi
      i=$((i + 1))
    done
    if [ $((flags & 1)) -eq 0 ] || [ -z "$next" ]; then return 1; fi
    page=$next
  done
}

# bbolt_revision FILE: the etcd revision of a snapshot = main revision of the last key in its "key" bucket
# (what etcdutl snapshot status reports), read from the bbolt pages along the right-most path.
bbolt_revision() {
  f=$1
  [ "$(rd "$f" 16 4)" = 3977042669 ] || return 1
  ps=$(rd "$f" 24 4)
  m=0
  if [ "$(rd "$f" $((ps + 16)) 4)" = 3977042669 ] && [ "$(rd "$f" $((ps + 64)) 8)" -gt "$(rd "$f" 64 8)" ]; then m=$ps; fi
  v=$(bbolt_find "$f" "$ps" $(( $(rd "$f" $((m + 32)) 8) * ps )) 6b6579) || return 1
  root=$(rd "$f" "$v" 8)
  if [ "$root" -eq 0 ]; then page=$((v + 16)); else page=$((root * ps)); fi
  while :; do
    flags=$(rd "$f" $((page + 8)) 2); count=$(rd "$f" $((page + 10)) 2)
    if [ "$count" -eq 0 ]; then echo 0; return 0; fi
    e=$((page + 16 + 16 * (count - 1)))
    if [ $((flags & 1)) -ne 0 ]; then page=$(( $(rd "$f" $((e + 8)) 8) * ps )); continue; fi
    [ $((flags & 2)) -ne 0 ] || return 1
    k=$(hexat "$f" $((e + $(rd "$f" $((e + 4)) 4))) 8)
    echo $((0x$k)); return 0
  done
}

# etcd_cluster_id: the cluster ID (decimal, as etcdctl endpoint status -w json prints it) from the member's
# status on the etcd gRPC gateway, asked with rclone's HTTP client ("rclone rc" POSTs a JSON body to any URL) and
# the job's client certificate. Metadata only: prints nothing when it cannot be read, and the caller logs a warning.
etcd_cluster_id() {
  [ -n "\${BACKUP_ETCD_ENDPOINT:-}" ] || return 0
  set -- --url "\${BACKUP_ETCD_ENDPOINT%/}/" --timeout 10s --contimeout 5s
  if [ -n "\${BACKUP_ETCD_CACERT:-}" ]; then set -- "$@" --ca-cert "$BACKUP_ETCD_CACERT"; fi
  if [ -n "\${BACKUP_ETCD_CERT:-}" ]; then set -- "$@" --client-cert "$BACKUP_ETCD_CERT" --client-key "$BACKUP_ETCD_KEY"; fi
  (unset RCLONE_CA_CERT RCLONE_NO_CHECK_CERTIFICATE; rclone rc "$@" v3/maintenance/status) > "$WORK/etcd-status" 2> "$WORK/etcd-status.err" \
    || { log "WARNING: etcd status request failed ($(head -c 200 "$WORK/etcd-status.err" | tr '\n' ' ')); etcd cluster ID not recorded"; return 0; }
  sed -n 's/.*"cluster_id": *"\{0,1\}\([0-9][0-9]*\).*/\1/p' "$WORK/etcd-status" | head -n 1
}

# etcd_upload FILE: checks made here, in the shell image, after etcdutl snapshot status (the etcd image has no
# shell to capture its output): the size is a bbolt file plus etcd's 32-byte sha256 trailer, the revision is read
# from the bbolt pages, and the trailer must match the content (the check etcdutl snapshot restore makes). The
# hashes run alongside the revision, the cluster ID request and the upload; a mismatch deletes the unmarked
# object and fails the run.
etcd_upload() {
  size=$(file_size "$1")
  case "$size" in ''|*[!0-9]*) die "cannot read the size of $1" ;; esac
  [ "$((size % 512))" -eq 32 ] || die "$1 is not an etcd snapshot with an integrity hash (size $size)"
  ETCD_HASH=$(tail -c 32 "$1" | od -An -v -tx1 | tr -d ' \n')
  file_hashes "$1" "$WORK/full.sum" "$WORK/body.sum" "$((size - 32))" & hashpid=$!
  BG="$BG $hashpid"
  etcd_cluster_id > "$WORK/cluster-id" & cidpid=$!
  BG="$BG $cidpid"
  # The revision is metadata only: a snapshot the parser cannot read (etcdutl has verified it) is still uploaded.
  ETCD_REVISION=$(bbolt_revision "$1" 2>/dev/null) || ETCD_REVISION=""
  case "$ETCD_REVISION" in ''|*[!0-9]*) log "WARNING: cannot read the etcd revision from $1; not recorded"; ETCD_REVISION="" ;; esac
  set -- "$1" "etcd-integrity-sha256=$ETCD_HASH"
  if [ -n "$ETCD_REVISION" ]; then set -- "$@" "etcd-revision=$ETCD_REVISION"; fi
  wait "$cidpid" || true
  ETCD_CLUSTER_ID=$(cat "$WORK/cluster-id" 2>/dev/null || true)
  case "$ETCD_CLUSTER_ID" in
    '') log "WARNING: etcd cluster ID unknown; not recorded" ;;
    *[!0-9]*) log "WARNING: unexpected etcd cluster ID '$ETCD_CLUSTER_ID'; not recorded"; ETCD_CLUSTER_ID="" ;;
    *) set -- "$@" "etcd-cluster-id=$ETCD_CLUSTER_ID" ;;
  esac
  snap=$1; shift
  upload_file "$snap" "$KEY" "$@"
  wait "$hashpid" || fail "sha256 of $snap failed"
  SHA=$(cat "$WORK/full.sum")
  SIZE=$size
  body=$(cat "$WORK/body.sum")
  [ "$body" = "$ETCD_HASH" ] || fail "$snap is corrupt: content sha256 $body does not match its integrity hash $ETCD_HASH"
  log "etcd snapshot verified: $size bytes, revision \${ETCD_REVISION:-unknown}, cluster ID \${ETCD_CLUSTER_ID:-unknown}, integrity sha256 $ETCD_HASH"
}

# A file's upload runs beside the listing for retention (the listing only sees older objects; this run's own
# are added below); a stream's listing comes after the upload, so that only one rclone holds memory at a time.
LISTPID=""
case "$BACKUP_SOURCE" in
  file)
    : "\${BACKUP_FILE:?}"
    [ -s "$BACKUP_FILE" ] || die "$BACKUP_FILE is missing or empty"
    list_prefix & LISTPID=$!
    BG="$BG $LISTPID"
    if [ "\${BACKUP_ETCD_SNAPSHOT:-false}" = true ]; then
      etcd_upload "$BACKUP_FILE"
    else
      SIZE=$(file_size "$BACKUP_FILE")
      file_hashes "$BACKUP_FILE" "$WORK/full.sum" & hashpid=$!
      BG="$BG $hashpid"
      upload_file "$BACKUP_FILE" "$KEY"
      wait "$hashpid" || fail "sha256 of $BACKUP_FILE failed"
      SHA=$(cat "$WORK/full.sum")
    fi ;;
  stream)
    stream_upload "$KEY" "\${BACKUP_COMPRESSION:-none}" "$@" ;;
  *) die "BACKUP_SOURCE must be 'file' or 'stream'" ;;
esac
printf '%s  %s\n' "$SHA" "$BASE" > "$WORK/marker"
log "uploaded s3://$BACKUP_BUCKET/$KEY (\${SIZE:+$SIZE bytes, }sha256 $SHA, encrypted $ENCRYPTED)"

# The optional companion runs in a subshell that knows only its own object: its failure removes that object and
# nothing else, the verified backup still gets its marker, and the run then exits non-zero without pruning.
EXTRA_FAILED=""
if [ -n "\${BACKUP_EXTRA_DIR:-}" ]; then
  set +e
  (
    set -e
    UPLOADED=""
    [ -d "$BACKUP_EXTRA_DIR" ] || fail "BACKUP_EXTRA_DIR $BACKUP_EXTRA_DIR is not a directory"
    stream_upload "$KEY.extra.tar.gz" gzip tar --numeric-owner -C "$BACKUP_EXTRA_DIR" -cf - .
    printf '%s  %s\n' "$SHA" "$BASE.extra.tar.gz" >> "$WORK/marker"
  )
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then EXTRA_FAILED="the archive of BACKUP_EXTRA_DIR failed (exit $rc)"; fi
fi

# The marker goes last, never encrypted (retention reads its name only; restores read it to check the plaintext):
# its presence is what makes this backup count. Its metadata says whether the backup's objects are encrypted.
UPLOADED="$UPLOADED $KEY.sha256"
rclone copyto --metadata --metadata-set "kube-backup-encryption=$(if [ "$ENCRYPTED" = true ]; then echo rclone-crypt; else echo none; fi)" \
  "$WORK/marker" "$RAW/$KEY.sha256" || fail "upload of the marker failed"
UPLOADED=""
if [ -n "$EXTRA_FAILED" ]; then die "$EXTRA_FAILED; the backup s3://$BACKUP_BUCKET/$KEY is complete and kept, nothing pruned"; fi

# Prune: only reached when everything above succeeded. Candidates come from the listing of the prefix (its direct
# children only), restricted to keys "<prefix>/<name>-<timestamp>-<run><ext>" plus ".sha256" and ".extra.tar.gz";
# any other key is never touched. This run's backup and marker are added to the listing: a listing made beside
# the upload does not show them.
if [ -n "$LISTPID" ]; then listed=0; wait "$LISTPID" || listed=$?; else listed=0; list_prefix || listed=$?; fi
[ "$listed" -eq 0 ] || die "listing s3://$BACKUP_BUCKET/$BACKUP_PREFIX/ failed; backup is complete, nothing pruned"
P="$BACKUP_NAME-" EXT="$BACKUP_EXT" PREFIX="$BACKUP_PREFIX/" awk '
  BEGIN { P = ENVIRON["P"]; EXT = ENVIRON["EXT"]; PREFIX = ENVIRON["PREFIX"] }
  index($0, P) == 1 && $0 ~ /^[A-Za-z0-9._-]+$/ {
    rest = substr($0, length(P) + 1); ts = substr(rest, 1, 25); sfx = substr(rest, 26)
    if (ts !~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) next
    if (sfx == EXT) print ts, "D", PREFIX $0
    else if (sfx == EXT ".sha256") print ts, "M", PREFIX $0
    else if (sfx == EXT ".extra.tar.gz") print ts, "C", PREFIX $0
  }' "$WORK/names" > "$WORK/objects.listed"
printf '%s D %s\n%s M %s.sha256\n' "$ID" "$KEY" "$ID" "$KEY" >> "$WORK/objects.listed"
sort -u "$WORK/objects.listed" > "$WORK/objects"
select_expired "$BACKUP_KEEP" "$ID" "$WORK/objects"

# delete_keys FILE: one rclone delete for the listed keys (exactly those: --files-from, no listing); if it fails,
# key by key with deletefile, for this and every later batch of the run, so a store that refuses one way of
# deleting still gets pruned. Any key that cannot be deleted fails the run.
PER_KEY_DELETE=""
delete_keys() {
  [ -s "$1" ] || return 0
  if [ -z "$PER_KEY_DELETE" ]; then
    if rclone delete --files-from-raw "$1" "$RAW" 2> "$WORK/delete.err"; then
      while IFS= read -r k; do log "pruned s3://$BACKUP_BUCKET/$k"; done < "$1"
      return 0
    fi
    log "batch delete failed ($(tr '\n' ' ' < "$WORK/delete.err" | head -c 300)); deleting key by key"
    PER_KEY_DELETE=1
  fi
  while IFS= read -r k; do
    rclone deletefile "$RAW/$k" 2> "$WORK/delete.err" || {
      # A key the batch already removed is gone, which is what was asked.
      if rclone lsf --files-only "$RAW/$k" 2>/dev/null | grep -q .; then die "could not delete $k: $(head -c 300 "$WORK/delete.err")"; fi
    }
    log "pruned s3://$BACKUP_BUCKET/$k"
  done < "$1"
}
delete_keys "$WORK/objects.expired-markers"
delete_keys "$WORK/objects.expired-objects"
log "done: s3://$BACKUP_BUCKET/$KEY"
post_event Normal BackupSucceeded "backup s3://$BACKUP_BUCKET/$KEY complete (sha256 $SHA, encrypted $ENCRYPTED)"
`;

/**
 * CSI VolumeSnapshot of each claim, then the same keep-N retention over ready snapshots. Runs kubectl with the
 * Job's service account. Environment: BACKUP_NAME, BACKUP_KEEP, BACKUP_PVCS (space-separated names) or
 * BACKUP_SELECTOR, BACKUP_SNAPSHOT_CLASS, BACKUP_NAMESPACE, BACKUP_READY_TIMEOUT (e.g. "10m").
 * Every claim is attempted (each in its own subshell, so one failure ends only that claim) and the run fails at
 * the end if any failed. Claims no longer listed or selected keep the newest BACKUP_KEEP ready snapshots too.
 */
export const SNAPSHOT_SCRIPT =
    COMMON +
    raw`
: "\${BACKUP_NAME:?}" "\${BACKUP_KEEP:?}" "\${BACKUP_SNAPSHOT_CLASS:?}" "\${BACKUP_NAMESPACE:?}"
WORK=$(mktemp -d "\${TMPDIR:-/tmp}/kube-backup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TS=$(date -u +%Y%m%dT%H%M%SZ)
ts=$(printf '%s' "$TS" | tr 'TZ' 'tz')
L_SCHEDULE=backup.kube-backup.io/schedule
L_PVC=backup.kube-backup.io/pvc
if [ -n "\${BACKUP_SELECTOR:-}" ]; then
  kubectl get pvc -n "$BACKUP_NAMESPACE" -l "$BACKUP_SELECTOR" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' > "$WORK/pvcs" \
    || die "listing the selected claims failed"
else
  printf '%s\n' \${BACKUP_PVCS:?} > "$WORK/pvcs"
fi
[ -s "$WORK/pvcs" ] || die "no PersistentVolumeClaims to snapshot"

# claim_key CLAIM: the claim's name in labels and snapshot names. Names longer than a label value (63) become
# "sha256-" + 40 hex digits of their hash; the full name is kept in an annotation.
claim_key() {
  if [ "\${#1}" -le 63 ]; then printf '%s' "$1"; else printf 'sha256-%s' "$(printf '%s' "$1" | hash256 | cut -c1-40)"; fi
}

# prune KEY [NEWTS]: keep the newest BACKUP_KEEP ready snapshots of one claim. NEWTS is the snapshot this run
# made; without it (a claim that left the selector) the newest ready snapshot plays that role.
prune() {
  key=$1
  kubectl get volumesnapshot -n "$BACKUP_NAMESPACE" -l "$L_SCHEDULE=$BACKUP_NAME,$L_PVC=$key" \
    -o jsonpath='{range .items[*]}{.metadata.name} {.status.readyToUse}{"\n"}{end}' > "$WORK/list" \
    || die "listing the snapshots of $key failed"
  # Same retention rule as the S3 prune: a ready snapshot is a backup with its marker.
  awk -v p="$BACKUP_NAME-$key-" 'index($1, p) == 1 && length($1) == length(p) + 16 {
      t = toupper(substr($1, length(p) + 1)); print t, "D", $1; if ($2 == "true") print t, "M", "-" }' "$WORK/list" | sort > "$WORK/objects"
  newts=\${2:-$(awk '$2 == "M" { print $1 }' "$WORK/objects" | tail -n 1)}
  if [ -z "$newts" ]; then log "no ready snapshot of $key; nothing pruned"; return 0; fi
  select_expired "$BACKUP_KEEP" "$newts" "$WORK/objects"
  while IFS= read -r old; do
    kubectl delete -n "$BACKUP_NAMESPACE" "volumesnapshot/$old" --wait=false || die "deleting volumesnapshot/$old failed"
    log "pruned volumesnapshot/$old"
  done < "$WORK/objects.expired-objects"
}

snapshot_claim() {
  pvc=$1
  key=$(claim_key "$pvc")
  snap="$BACKUP_NAME-$key-$ts"
  printf '{"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshot","metadata":{"name":"%s","namespace":"%s","labels":{"%s":"%s","%s":"%s"},"annotations":{"backup.kube-backup.io/pvc-name":"%s"}},"spec":{"volumeSnapshotClassName":"%s","source":{"persistentVolumeClaimName":"%s"}}}\n' \
    "$snap" "$BACKUP_NAMESPACE" "$L_SCHEDULE" "$BACKUP_NAME" "$L_PVC" "$key" "$pvc" "$BACKUP_SNAPSHOT_CLASS" "$pvc" > "$WORK/snap.json"
  kubectl create -f "$WORK/snap.json" || die "creating snapshot $snap of $pvc failed"
  kubectl wait -n "$BACKUP_NAMESPACE" --for=jsonpath='{.status.readyToUse}'=true "volumesnapshot/$snap" --timeout="\${BACKUP_READY_TIMEOUT:-10m}" \
    || die "snapshot $snap of $pvc did not become ready; not pruning $pvc"
  log "snapshot $snap ready"
  prune "$key" "$TS"
}

# attempt WHAT CMD...: runs CMD in a subshell with errexit (its die ends only that subshell) and records a failure.
failed=0
attempt() {
  what=$1; shift
  set +e
  ( set -e; "$@" ) < /dev/null
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then failed=1; log "$what failed; continuing with the others"; fi
}

: > "$WORK/keys"
while IFS= read -r pvc; do
  case "$pvc" in ''|*[!a-z0-9.-]*) log "unexpected claim name '$pvc'"; failed=1; continue;; esac
  claim_key "$pvc" >> "$WORK/keys"; echo >> "$WORK/keys"
  attempt "claim $pvc" snapshot_claim "$pvc"
done < "$WORK/pvcs"

# Claims that left the list or the selector: their snapshots follow the same keep-N rule (bounded by count).
if kubectl get volumesnapshot -n "$BACKUP_NAMESPACE" -l "$L_SCHEDULE=$BACKUP_NAME" \
     -o jsonpath='{range .items[*]}{.metadata.labels.backup\.kube-backup\.io/pvc}{"\n"}{end}' > "$WORK/all-keys"; then
  awk 'NR == FNR { k[$0] = 1; next } $0 != "" && !($0 in k)' "$WORK/keys" "$WORK/all-keys" | sort -u > "$WORK/orphans"
  while IFS= read -r key; do
    case "$key" in *[!A-Za-z0-9._-]*) log "unexpected claim label '$key'"; failed=1; continue;; esac
    attempt "retention of claim $key (no longer selected)" prune "$key"
  done < "$WORK/orphans"
else
  log "listing this schedule's snapshots failed"; failed=1
fi
[ "$failed" -eq 0 ] || die "at least one claim failed (see above)"
log "done"
`;

/**
 * PVC restore (the PvcRestore Job), a shell script for the tools image (rclone + busybox). Environment:
 *   BACKUP_BUCKET, RESTORE_KEY, RESTORE_DIR                       which backup, and the claim's mount
 *   RESTORE_OVERWRITE=true                                         extract into a non-empty claim anyway
 *   S3_* and AWS_* as for the backup; BACKUP_ENCRYPTION_PASSWORD [+ _SALT] for encrypted backups
 * Downloads the object and its marker to the work directory, refuses unless the marker lists the object with the
 * SHA-256 of what was downloaded (decrypted), and only then extracts: nothing reaches the claim before that.
 * `lost+found` does not make a claim non-empty.
 */
export const PVC_RESTORE_SCRIPT =
    COMMON +
    raw`
: "\${BACKUP_BUCKET:?}" "\${RESTORE_KEY:?}" "\${RESTORE_DIR:?}"
case "$RESTORE_KEY" in ''|/*|*//*|*[!A-Za-z0-9._/-]*) die "RESTORE_KEY must be an object key of [A-Za-z0-9._/-]";; esac
BASE=\${RESTORE_KEY##*/}
case "$BASE" in
  *.tar.gz) DECOMPRESS="gzip -dc" ;;
  *.tar) DECOMPRESS="cat" ;;
  *.tar.zst) DECOMPRESS="zstd -dc" ;;
  *) die "RESTORE_KEY $RESTORE_KEY is not a tar archive (.tar, .tar.gz, .tar.zst)" ;;
esac
need="rclone tar cat cut awk grep ls mktemp rm \${DECOMPRESS%% *}"
if ! command -v openssl >/dev/null 2>&1; then need="$need sha256sum"; fi
for tool in $need; do
  command -v "$tool" >/dev/null 2>&1 || die "preflight: '$tool' is not in this image (PATH=$PATH); nothing was done"
done
[ -d "$RESTORE_DIR" ] || die "RESTORE_DIR $RESTORE_DIR is not a directory (is the claim mounted?)"
if [ "\${RESTORE_OVERWRITE:-false}" != true ] && [ -n "$(ls -A "$RESTORE_DIR" | grep -vx 'lost+found' || true)" ]; then
  die "the claim is not empty: refusing to restore over existing data (set overwrite: true to extract over it)"
fi

WORK=$(mktemp -d "\${TMPDIR:-/tmp}/kube-backup-restore.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
` +
    RCLONE_REMOTES +
    raw`
SRC="$RAW/$RESTORE_KEY"
if [ "$ENCRYPTED" = true ]; then SRC="kbcrypt:$RESTORE_KEY"; fi

# The marker first: without it the backup is incomplete and never restored.
# (rclone copyto of a missing object copies nothing and succeeds: the file's absence is the check.)
rclone copyto "$RAW/$RESTORE_KEY.sha256" "$WORK/marker" 2>"$WORK/err" || die "reading s3://$BACKUP_BUCKET/$RESTORE_KEY.sha256 failed: $(cat "$WORK/err")"
[ -f "$WORK/marker" ] || die "no marker s3://$BACKUP_BUCKET/$RESTORE_KEY.sha256: the backup is incomplete or the key is wrong"
EXPECTED=$(awk -v n="$BASE" '$2 == n || $2 == "*" n { print $1 }' "$WORK/marker")
[ -n "$EXPECTED" ] || die "the marker does not list $BASE: not a complete backup"
if ! rclone copyto "$SRC" "$WORK/archive" 2>"$WORK/err"; then
  if grep -q "bad password" "$WORK/err"; then
    die "s3://$BACKUP_BUCKET/$RESTORE_KEY could not be decrypted: wrong encryption password or salt"
  fi
  die "download of s3://$BACKUP_BUCKET/$RESTORE_KEY failed: $(cat "$WORK/err")"
fi
[ -f "$WORK/archive" ] || die "s3://$BACKUP_BUCKET/$RESTORE_KEY does not exist"
ACTUAL=$(hash256 < "$WORK/archive")
[ "$ACTUAL" = "$EXPECTED" ] || die "s3://$BACKUP_BUCKET/$RESTORE_KEY is corrupt: sha256 $ACTUAL, the marker says $EXPECTED; nothing extracted"
log "verified s3://$BACKUP_BUCKET/$RESTORE_KEY (sha256 $ACTUAL)"
# GNU tar (a custom image) also restores the extended attributes and ACLs a GNU tar backup recorded; busybox tar
# has no such options and keeps contents, links, modes, numeric owners and times (docs/backup-jobs.md).
GNU=""
if tar --version 2>/dev/null | grep -q "GNU tar"; then GNU=yes; fi
$DECOMPRESS "$WORK/archive" | tar --numeric-owner \
  \${GNU:+--xattrs} \${GNU:+"--xattrs-include=*.*"} \${GNU:+--acls} -xpf - -C "$RESTORE_DIR" ||
  die "extracting into $RESTORE_DIR failed"
log "done: restored s3://$BACKUP_BUCKET/$RESTORE_KEY into $RESTORE_DIR"
`;
