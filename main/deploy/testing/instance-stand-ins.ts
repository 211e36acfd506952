import { readFileSync } from 'node:fs';
import { IPTABLES_STAND_IN, type StandIn } from '../../../templates/boot/temp-root.js';

// The commands a boot script and its agents call on an instance, as stand-ins (recorded by
// templates/boot/temp-root.ts, root-only ones refused to any other user). Unlike the boot tests'
// canned answers, these reach the fake AWS: `aws s3 cp` downloads from its S3 (with a signature the
// fake does not check), `aws ssm get-parameter` reads its Parameter Store, and curl
// passes everything but the instance metadata service to the real curl, so the worker's boot
// asks the real services agent for its health. systemctl hands long-running units to the test
// (a request file in /fake/systemd, see fake-instance.ts) and runs oneshot units as root itself.

const ROOT_ONLY = { rootOnly: true };

/**
 * start / enable --now: a oneshot unit's ExecStart runs here, as root; a long-running unit is
 * requested from the test. stop: requested too, and waited for (bounded), as systemctl stop waits.
 * Units without a file here (docker, the CloudWatch agent, timers) belong to the image.
 */
const SYSTEMCTL: StandIn = {
  ...ROOT_ONLY,
  body: [
    'verb=""; now=""; units=()',
    'for a in "$@"; do case $a in --now) now=1;; -*) ;; *) if [ -z "$verb" ]; then verb=$a; else units+=("$a"); fi;; esac; done',
    'case $verb in start|stop) ;; enable) [ -n "$now" ] || exit 0;; *) exit 0;; esac',
    'mkdir -p /fake/systemd',
    'for u in "${units[@]}"; do',
    '  u=${u%.service}; f=/etc/systemd/system/$u.service',
    '  [ -f "$f" ] || continue',
    '  if [ "$verb" = stop ]; then',
    '    : >"/fake/systemd/$u.stop"',
    '    for ((i = 0; i < 600; i++)); do [ -f "/fake/systemd/$u.stopped" ] && break; /usr/bin/sleep 0.1; done',
    '    [ -f "/fake/systemd/$u.stopped" ] || { echo "systemctl: $u did not stop within 60 s" >&2; exit 1; }',
    '  elif grep -q "^Type=oneshot" "$f"; then',
    '    $(sed -n "s/^ExecStart=//p" "$f") || exit 1',
    '  else',
    '    : >"/fake/systemd/$u.start"',
    '  fi',
    'done',
  ].join('\n'),
};

const IMDS_OR_CURL: StandIn = {
  body: [
    'case "$*" in',
    '  *169.254.169.254*)',
    '    case "$*" in',
    '      *api/token*) echo imds-token;;',
    '      *meta-data/instance-id*) cat /fake/state/instance-id;;',
    '      *meta-data/instance-type*) cat /fake/state/instance-type;;',
    '      *target-lifecycle-state*) if [ -f /fake/state/terminating ]; then echo Terminated; else echo InService; fi;;',
    '      *) exit 22;;',
    '    esac;;',
    '  *) exec /usr/bin/curl "$@";;',
    'esac',
  ].join('\n'),
};

/** The AWS CLI calls of the boot scripts and the drain watcher. */
const AWS: StandIn = {
  body: [
    'option() { local want=$1; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { printf %s "$2"; return; }; shift; done; }',
    // The fake tells services apart by the credential scope of the (unchecked) signature.
    'scope() { printf "authorization: AWS4-HMAC-SHA256 Credential=AKIAFAKE/20260101/%s/%s/aws4_request, SignedHeaders=host, Signature=0" "$AWS_REGION" "$1"; }',
    'case "$1 $2" in',
    '  "s3 cp") for a in "$@"; do case $a in s3://*) source=${a#s3://};; esac; done',
    '    curl -fsS -H "$(scope s3)" -o "${!#}" "$AWS_ENDPOINT_URL/$source";;',
    '  "ssm get-parameter")',
    '    curl -fsS "$AWS_ENDPOINT_URL/" -H "content-type: application/x-amz-json-1.1" -H "x-amz-target: AmazonSSM.GetParameter" \\',
    '      -H "$(scope ssm)" \\',
    '      -d "{\\"Name\\":\\"$(option --name "$@")\\",\\"WithDecryption\\":true}" |',
    // The CLI's text output: the queried fields, tab-separated.
    '      node -e \'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const p=JSON.parse(s).Parameter;const q=process.argv[1];process.stdout.write((q.startsWith("[")?[p.Type,p.Value]:[p.Value]).join("\\t")+"\\n")})\' "$(option --query "$@")";;',
    '  "ec2 describe-volumes"|"ec2 describe-network-interfaces") cat /fake/state/instance-id;;',
    '  "autoscaling describe-auto-scaling-instances") cat /fake/state/group;;',
    '  "ec2 attach-volume"|"ec2 attach-network-interface"|"autoscaling complete-lifecycle-action"|"autoscaling set-instance-health") ;;',
    '  *) echo "aws stand-in: $1 $2 is not known here" >&2; exit 2;;',
    'esac',
  ].join('\n'),
};

/** `npm ci` from a mirror the test laid out from the bundle's own lock file (no registry here). */
const NPM: StandIn = {
  body: [
    '[ "$1" = ci ] || { echo "npm stand-in: only ci" >&2; exit 1; }',
    'cmp -s package-lock.json /fake/npm-mirror/package-lock.json || { echo "npm ERR! this lock file is not the one the mirror was made from" >&2; exit 1; }',
    'rm -rf node_modules && cp -a /fake/npm-mirror/node_modules node_modules',
  ].join('\n'),
};

const USERADD: StandIn = { ...ROOT_ONLY, body: 'while [ $# -gt 1 ]; do case $1 in --uid) u=$2;; --gid) g=$2;; --home-dir) h=$2;; esac; shift; done; echo "$1:x:$u:$g::$h:/sbin/nologin" >>/etc/passwd' };
const GROUPADD: StandIn = { ...ROOT_ONLY, body: 'while [ $# -gt 1 ]; do case $1 in --gid) g=$2;; esac; shift; done; echo "$1:x:$g:" >>/etc/group' };
const RUNUSER: StandIn = { ...ROOT_ONLY, body: '[ "$1" = -u ] && [ "$3" = -- ] || exit 2; user=$2; shift 3; FAKE_USER=$user exec "$@"' };
const ECR_HELPER: StandIn = { body: 'read -r host; echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"AWS\\",\\"Secret\\":\\"ecr-secret-token\\"}"' };

const DOCKER: StandIn = { body: readFileSync(new URL('./fake-docker.sh', import.meta.url), 'utf8').replace(/^#!.*\n/, '') };

export const INSTANCE_STAND_INS: Record<string, StandIn> = {
  dnf: { ...ROOT_ONLY, body: '' },
  systemctl: SYSTEMCTL,
  useradd: USERADD,
  groupadd: GROUPADD,
  groupmod: { ...ROOT_ONLY, body: '' },
  usermod: { ...ROOT_ONLY, body: '' },
  runuser: RUNUSER,
  curl: IMDS_OR_CURL,
  aws: AWS,
  'node-22': { body: 'exec /usr/bin/node "$@"' },
  'npm-22': NPM,
  mount: { ...ROOT_ONLY, body: '' },
  blkid: { body: 'case "$*" in *TYPE*) echo xfs;; *UUID*) echo 1111-2222;; esac' },
  mountpoint: { body: 'exit 1' },
  findmnt: { body: 'case "$*" in *FSTYPE*) echo xfs;; *SOURCE*) echo /dev/xvdf;; esac' },
  xfs_growfs: { ...ROOT_ONLY, body: '' },
  iptables: IPTABLES_STAND_IN,
  ip6tables: IPTABLES_STAND_IN,
  docker: DOCKER,
  'docker-credential-ecr-login': ECR_HELPER,
};

export const CFN_SIGNAL = { '/opt/aws/bin/cfn-signal': { body: '' } };
