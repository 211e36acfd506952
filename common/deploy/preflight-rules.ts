import { cidrContains, cidrsOverlap, formatCidr, isNetworkAddress, parseCidr } from './cidr.js';
import { P, PRIVATE_SUBNETS, PUBLIC_SUBNETS, type TemplateParameters, usesExistingVpc } from './platform-parameters.js';

// Preflight rules that need no AWS call. Pure and free of Node imports: the Setup wizard runs the
// very same functions on every keystroke, so the wizard and `benchtop preflight` never disagree.

export type Severity = 'error' | 'warning';

export interface Finding {
  /** The parameter (or `stackName`, `region`, `credentials`) the sentence is about. */
  field: string;
  severity: Severity;
  /** One sentence that names the field and says how to fix it. */
  message: string;
}

const error = (field: string, message: string): Finding => ({ field, severity: 'error', message });
const warning = (field: string, message: string): Finding => ({ field, severity: 'warning', message });

/** CloudFormation's rule, narrowed to what is also safe inside bucket and log-group names. */
export function checkStackName(name: string): Finding[] {
  if (!name) return [error('stackName', 'Stack name is empty: give the deployment a name such as "lab-prod".')];
  if (name.length > 40) return [error('stackName', `Stack name "${name}" is ${name.length} characters long: use at most 40, because bucket names are derived from it.`)];
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    return [error('stackName', `Stack name "${name}" may only hold lowercase letters, digits and hyphens and must start with a letter: try "${suggestName(name)}".`)];
  }
  if (name.endsWith('-') || name.includes('--')) return [error('stackName', `Stack name "${name}" must not end with a hyphen or contain two in a row.`)];
  return [];
}

function suggestName(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^[^a-z]+/, '').replace(/-$/, '');
  return s || 'lab-prod';
}

export function checkRegion(region: string): Finding[] {
  if (!/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/.test(region)) {
    return [error('region', `Region "${region}" is not an AWS region code: use one such as "us-east-1" or "eu-west-1".`)];
  }
  return [];
}

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const GPU_FAMILY = /^(g\d|p\d|gr\d|inf\d|trn\d|dl\d)/;
const LOG_RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function integerIn(params: TemplateParameters, field: string, min: number, max: number, what: string): Finding[] {
  const raw = params[field];
  if (raw === undefined || raw === '') return [];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) return [error(field, `${field} is "${raw}": ${what} must be a whole number from ${min} to ${max}.`)];
  return [];
}

export function checkNetwork(params: TemplateParameters): Finding[] {
  const findings: Finding[] = [];
  const nat = params[P.natMode];
  if (nat !== undefined && nat !== '' && !['gateway', 'instance', 'none'].includes(nat)) {
    findings.push(error(P.natMode, `${P.natMode} is "${nat}": choose "gateway", "instance" (cheaper) or "none".`));
  }
  if (usesExistingVpc(params)) {
    const vpcId = params[P.existingVpcId]!.trim();
    if (!/^vpc-[0-9a-f]{8,17}$/.test(vpcId)) findings.push(error(P.existingVpcId, `${P.existingVpcId} "${vpcId}" is not a VPC id: copy one that looks like "vpc-0abc1234def567890".`));
    const seen = new Map<string, string>();
    for (const field of [...PUBLIC_SUBNETS, ...PRIVATE_SUBNETS]) {
      const id = params[field]?.trim() ?? '';
      const kind = (PUBLIC_SUBNETS as readonly string[]).includes(field) ? 'public' : 'private';
      if (!id) findings.push(error(field, `${field} is empty: with an existing VPC, give a ${kind} subnet id for each of the two Availability Zones.`));
      else if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) findings.push(error(field, `${field} "${id}" is not a subnet id: use one such as "subnet-0abc1234".`));
      else if (seen.has(id)) findings.push(error(field, `${field} repeats ${id}, already given as ${seen.get(id)}: each of the four subnets must be a different one.`));
      else seen.set(id, field);
    }
  } else {
    if (nat === 'none') findings.push(error(P.natMode, `${P.natMode} "none" needs an existing VPC with its own egress: choose "gateway" or "instance" for a new VPC.`));
    findings.push(...checkVpcCidr(params[P.vpcCidr]));
  }
  const client = params[P.allowedClientCidr];
  if (client) {
    const c = parseCidr(client);
    if (!c) findings.push(error(P.allowedClientCidr, `${P.allowedClientCidr} "${client}" is not an IPv4 CIDR block: write it like "203.0.113.0/24", or "0.0.0.0/0" for anywhere.`));
    else if (!isNetworkAddress(c)) findings.push(error(P.allowedClientCidr, `${P.allowedClientCidr} "${client}" has host bits set: use "${formatCidr({ base: c.base - (c.base % 2 ** (32 - c.prefix)), prefix: c.prefix })}".`));
  }
  return findings;
}

/** The template splits a new VPC into four /24 subnets over 2 AZs: /16 to /22 leaves room. */
export function checkVpcCidr(value: string | undefined): Finding[] {
  if (value === undefined || value === '') return [];
  const c = parseCidr(value);
  if (!c) return [error(P.vpcCidr, `${P.vpcCidr} "${value}" is not an IPv4 CIDR block: write it like "10.20.0.0/16".`)];
  if (!isNetworkAddress(c)) {
    const fixed = formatCidr({ base: c.base - (c.base % 2 ** (32 - c.prefix)), prefix: c.prefix });
    return [error(P.vpcCidr, `${P.vpcCidr} "${value}" has host bits set: use the network address "${fixed}".`)];
  }
  if (c.prefix < 16 || c.prefix > 22) {
    return [error(P.vpcCidr, `${P.vpcCidr} "${value}" is a /${c.prefix}: use a block from /16 to /22 so that four /24 subnets fit in two Availability Zones.`)];
  }
  const privateRanges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((r) => parseCidr(r)!);
  if (!privateRanges.some((r) => cidrContains(r, c))) {
    return [error(P.vpcCidr, `${P.vpcCidr} "${value}" is not a private (RFC 1918) range: use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.`)];
  }
  return [];
}

/** A new VPC whose CIDR overlaps one already in the account cannot be peered or VPN-ed with it later. */
export function checkCidrAgainstVpcs(value: string | undefined, existing: { vpcId: string; cidr: string }[]): Finding[] {
  const c = value ? parseCidr(value) : undefined;
  if (!c) return [];
  const clash = existing.find((v) => {
    const other = parseCidr(v.cidr);
    return other !== undefined && cidrsOverlap(c, other);
  });
  return clash
    ? [warning(P.vpcCidr, `${P.vpcCidr} "${value}" overlaps ${clash.vpcId} (${clash.cidr}) in this region: pick a block that does not overlap if the two networks must ever be connected.`)]
    : [];
}

export function checkAccess(params: TemplateParameters, region: string): Finding[] {
  const findings: Finding[] = [];
  const scheme = params[P.loadBalancerScheme];
  if (scheme && !['internet-facing', 'internal'].includes(scheme)) {
    findings.push(error(P.loadBalancerScheme, `${P.loadBalancerScheme} is "${scheme}": choose "internet-facing" or "internal".`));
  }
  const arn = params[P.certificateArn]?.trim();
  if (!arn) findings.push(error(P.certificateArn, `${P.certificateArn} is empty: the load balancer serves HTTPS only, so pick an ISSUED ACM certificate in ${region || 'the chosen region'}.`));
  else {
    const m = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]+$/.exec(arn);
    if (!m) findings.push(error(P.certificateArn, `${P.certificateArn} "${arn}" is not an ACM certificate ARN: copy it from the ACM console (arn:aws:acm:REGION:ACCOUNT:certificate/ID).`));
    else if (region && m[1] !== region) findings.push(error(P.certificateArn, `${P.certificateArn} is in ${m[1]} but the stack goes to ${region}: request or import the certificate in ${region}.`));
  }
  const domain = params[P.domainName]?.trim();
  if (!domain) {
    findings.push(error(P.domainName, `${P.domainName} is empty: give the name Benchtop will be reached at, such as "bench.lab.example.org" (ACM cannot issue a certificate for the load balancer's own name, so it would fail TLS).`));
  }
  if (domain && !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)) {
    findings.push(error(P.domainName, `${P.domainName} "${domain}" is not a lower-case domain name: write it like "bench.example.org".`));
  }
  const zone = params[P.hostedZoneId]?.trim();
  if (zone && !/^Z[A-Z0-9]{1,31}$/.test(zone)) findings.push(error(P.hostedZoneId, `${P.hostedZoneId} "${zone}" is not a hosted zone id: copy one like "Z0123456789ABCDEFGHIJ" from Route 53.`));
  if (zone && !domain) {
    findings.push(error(P.hostedZoneId, `${P.hostedZoneId} is set but ${P.domainName} is empty: give the domain name the alias record should have, or clear the hosted zone.`));
  }
  return findings;
}

export function checkCompute(params: TemplateParameters): Finding[] {
  const findings: Finding[] = [];
  for (const field of [P.servicesInstanceType, P.cpuWorkerInstanceType, P.gpuWorkerInstanceType]) {
    const t = params[field];
    if (t && !INSTANCE_TYPE.test(t)) findings.push(error(field, `${field} "${t}" is not an EC2 instance type: write it like "t3.medium".`));
  }
  const gpu = params[P.gpuWorkerInstanceType];
  if (gpu && INSTANCE_TYPE.test(gpu) && !GPU_FAMILY.test(gpu) && Number(params[P.gpuWorkerMax] ?? 0) > 0) {
    findings.push(warning(P.gpuWorkerInstanceType, `${P.gpuWorkerInstanceType} "${gpu}" has no GPU: pick a GPU family such as g5 or g6, or set ${P.gpuWorkerMax} to 0.`));
  }
  findings.push(...integerIn(params, P.cpuWorkerMax, 0, 100, 'the CPU worker maximum'));
  findings.push(...integerIn(params, P.gpuWorkerMax, 0, 32, 'the GPU worker maximum'));
  return findings;
}

export function checkStorage(params: TemplateParameters): Finding[] {
  const findings = [
    ...integerIn(params, P.dataVolumeSize, 8, 16384, 'the data volume size in GiB'),
    ...integerIn(params, P.backupRetentionDays, 1, 3650, 'the backup retention in days'),
  ];
  const snap = params[P.dataVolumeSnapshotId]?.trim();
  if (snap && !/^snap-[0-9a-f]{8,17}$/.test(snap)) findings.push(error(P.dataVolumeSnapshotId, `${P.dataVolumeSnapshotId} "${snap}" is not a snapshot id: use one like "snap-0abc1234def567890", or leave it empty for a new volume.`));
  const logs = params[P.logRetentionDays];
  if (logs && !LOG_RETENTION.includes(Number(logs))) {
    findings.push(error(P.logRetentionDays, `${P.logRetentionDays} is "${logs}": CloudWatch Logs accepts only ${LOG_RETENTION.slice(0, 12).join(', ')}… days; pick one of those.`));
  }
  return findings;
}

export function checkAlarms(params: TemplateParameters): Finding[] {
  const findings: Finding[] = [];
  const email = params[P.alarmEmail]?.trim();
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email)) findings.push(error(P.alarmEmail, `${P.alarmEmail} "${email}" is not an e-mail address: write it like "admin@lab.example.org", or leave it empty.`));
  if (!email) findings.push(warning(P.alarmEmail, `${P.alarmEmail} is empty: alarms (instance down, disk full, failed backups) would reach no one; give an address that will confirm the subscription.`));
  const budget = params[P.monthlyBudget]?.trim();
  if (budget && !(Number(budget) >= 0 && Number(budget) <= 1_000_000)) {
    findings.push(error(P.monthlyBudget, `${P.monthlyBudget} is "${budget}": give a positive amount in US dollars, or 0 for no budget.`));
  }
  return findings;
}

/** A value outside the template's AllowedValues (instance type lists, modes) would fail the change set. */
export function checkAllowedValues(params: TemplateParameters, allowed: Record<string, string[]>): Finding[] {
  return Object.entries(allowed).flatMap(([field, values]) => {
    const v = params[field];
    if (v === undefined || v === '' || values.includes(v)) return [];
    const shown = values.length > 8 ? `${values.slice(0, 8).join(', ')}…` : values.join(', ');
    return [error(field, `${field} "${v}" is not one the template accepts: choose one of ${shown}.`)];
  });
}

function closest(name: string, candidates: string[]): string | undefined {
  const lower = name.toLowerCase();
  return candidates.find((c) => c.toLowerCase() === lower) ?? candidates.find((c) => c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()));
}

/** A parameter the template does not declare would fail the change set; say which one was meant. */
export function checkKnownParameters(params: TemplateParameters, declared: string[]): Finding[] {
  return Object.keys(params)
    .filter((name) => !declared.includes(name))
    .map((name) => {
      const guess = closest(name, declared);
      return error(name, `${name} is not a parameter of the platform template: ${guess ? `did you mean ${guess}?` : 'remove it from the parameters file.'}`);
    });
}

/** Every rule that needs no AWS call, over the whole form; `allowed` from the template when known. */
export function checkParameters(stackName: string, region: string, params: TemplateParameters, allowed: Record<string, string[]> = {}): Finding[] {
  const general = [
    ...checkStackName(stackName),
    ...checkRegion(region),
    ...checkNetwork(params),
    ...checkAccess(params, region),
    ...checkCompute(params),
    ...checkStorage(params),
    ...checkAlarms(params),
  ];
  const reported = new Set(general.map((f) => f.field));
  return [...general, ...checkAllowedValues(params, allowed).filter((f) => !reported.has(f.field))];
}

export function findingsFor(findings: Finding[], field: string): Finding[] {
  return findings.filter((f) => f.field === field);
}
