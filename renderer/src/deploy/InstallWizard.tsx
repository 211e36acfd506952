import { useMemo, useState } from 'react';
import { checkParameters } from '../../../common/deploy/preflight-rules.js';
import { P } from '../../../common/deploy/platform-parameters.js';
import { applyPlan, type DeployPlan, getTemplateInfo, listCertificates, listInstanceTypes } from '../../../common/api/deploy.contract.js';
import { deploymentId } from '../../../common/api/settings.contract.js';
import { useCall, useCallMutation } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Field } from '../components/Field.js';
import { Loading } from '../components/Loading.js';
import { ParamField } from './ParamField.js';
import { PlatformConnection } from './PlatformConnection.js';
import { ReviewStep } from './ReviewStep.js';
import { StackProgress } from './StackProgress.js';
import { CHOICE_LABELS, EDITED, STEPS, stepBlockers } from './wizard-steps.js';
import { DnsRecordNote } from './DnsRecordNote.js';
import './deploy.css';

export interface InstallWizardProps {
  profile?: string;
  region: string;
}

/** Setup's install: each step edits a few template parameters, checked by the preflight rules as typed. */
export function InstallWizard({ profile, region: initialRegion }: InstallWizardProps) {
  const info = useCall(getTemplateInfo, undefined);
  if (info.isPending) return <Loading label="Reading the platform template" />;
  if (info.error) return <ErrorBanner title="Could not read the platform template" error={info.error} onRetry={() => void info.refetch()} />;
  const defaults = Object.fromEntries(EDITED.map((f) => [f, info.data.defaults[f] ?? '']));
  return <Wizard profile={profile} initialRegion={initialRegion} defaults={defaults} allowed={info.data.allowed} version={info.data.stackVersion} />;
}

interface WizardProps {
  profile: string | undefined;
  initialRegion: string;
  defaults: Record<string, string>;
  allowed: Record<string, string[]>;
  version: string;
}

function Wizard({ profile, initialRegion, defaults, allowed, version }: WizardProps) {
  const [step, setStep] = useState(0);
  const [stackName, setStackName] = useState('lab-prod');
  const [region, setRegion] = useState(initialRegion);
  const [params, setParams] = useState<Record<string, string>>(defaults);
  const [existingVpc, setExistingVpc] = useState(false);
  const [noAlarmEmail, setNoAlarmEmail] = useState(false);
  const [installed, setInstalled] = useState<{ ok: boolean; status: string } | undefined>();
  const [account, setAccount] = useState<string>();
  const target = useMemo(() => ({ region, ...(profile ? { profile } : {}) }), [region, profile]);
  const set = (name: string) => (value: string) => setParams((p) => ({ ...p, [name]: value }));

  // Only what the admin chose is sent: an empty optional field keeps the template's default.
  const chosen = useMemo(() => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) {
      const networkOfOtherKind = existingVpc ? k === P.vpcCidr : k.startsWith('Existing');
      if (!networkOfOtherKind && v !== '') out[k] = v;
    }
    return out;
  }, [params, existingVpc]);
  const findings = useMemo(() => checkParameters(stackName, region, chosen, allowed), [stackName, region, chosen, allowed]);

  const certificates = useCall(listCertificates, { target }, { enabled: STEPS[step]!.id === 'access' });
  const types = useCall(listInstanceTypes, { target }, { enabled: STEPS[step]!.id === 'compute' });
  const apply = useCallMutation(applyPlan);

  const current = STEPS[step]!;
  const blocking = [...findings.filter((f) => f.severity === 'error' && (current.fields as readonly string[]).includes(f.field)).map((f) => f.message), ...stepBlockers(current.id, params, { noAlarmEmail })];
  const field = (name: string, label: string, extra: Partial<Parameters<typeof ParamField>[0]> = {}) => (
    <ParamField name={name} label={label} value={params[name] ?? ''} onChange={set(name)} findings={findings} {...extra} />
  );
  const options = (name: string) => (allowed[name] ?? []).map((v) => ({ value: v, label: CHOICE_LABELS[name]?.[v] ?? v }));
  const priced = (name: string) =>
    (allowed[name] ?? []).map((v) => {
      const price = types.data?.types.find((t) => t.parameter === name && t.instanceType === v)?.hourlyUsd;
      return { value: v, label: price !== undefined ? `${v} — $${price.toFixed(4)}/hour` : v };
    });

  const install = (plan: DeployPlan, confirmDataLoss: string | undefined, accountId: string | undefined) => {
    if (!plan.changeSetName) return;
    setAccount(accountId);
    apply.mutate(
      { target, stackName, changeSetName: plan.changeSetName, ...(confirmDataLoss ? { confirmDataLoss } : {}) },
      { onSuccess: () => setStep(STEPS.length - 1) },
    );
  };

  return (
    <div className="wizard">
      <ol className="wizard__steps" aria-label="Install steps">
        {STEPS.map((s, i) => (
          <li key={s.id} className={`wizard__step${i === step ? ' wizard__step--current' : i < step ? ' wizard__step--done' : ''}`} aria-current={i === step ? 'step' : undefined}>
            {i + 1}. {s.title}
          </li>
        ))}
      </ol>
      <h3>{current.title}</h3>
      <div className="wizard__grid">
        {current.id === 'account' ? (
          <>
            <Field label="Stack name" hint="Names the deployment, e.g. lab-prod or lab-dev." {...errorOf(findings, 'stackName')}>
              {(c) => <input {...c} name="stackName" className="input" value={stackName} onChange={(e) => setStackName(e.target.value)} />}
            </Field>
            <Field label="Region" hint={`Profile: ${profile ?? 'default credentials'}`} {...errorOf(findings, 'region')}>
              {(c) => <input {...c} name="region" className="input" value={region} onChange={(e) => setRegion(e.target.value)} />}
            </Field>
          </>
        ) : null}
        {current.id === 'network' ? (
          <>
            <Field label="VPC">
              {(c) => (
                <select {...c} className="select input" value={existingVpc ? 'existing' : 'new'} onChange={(e) => setExistingVpc(e.target.value === 'existing')}>
                  <option value="new">A new VPC over two zones</option>
                  <option value="existing">An existing VPC</option>
                </select>
              )}
            </Field>
            {field(P.natMode, 'NAT mode', { options: options(P.natMode), hint: '"instance" is the cheapest.' })}
            {existingVpc ? (
              <>
                {field(P.existingVpcId, 'VPC id')}
                {field(P.publicSubnet1, 'Public subnet, zone 1')}
                {field(P.publicSubnet2, 'Public subnet, zone 2')}
                {field(P.privateSubnet1, 'Private subnet, zone 1')}
                {field(P.privateSubnet2, 'Private subnet, zone 2')}
              </>
            ) : (
              field(P.vpcCidr, 'VPC CIDR', { hint: 'A private block from /16 to /22.' })
            )}
          </>
        ) : null}
        {current.id === 'access' ? (
          <>
            {field(P.loadBalancerScheme, 'Load balancer', { options: options(P.loadBalancerScheme) })}
            {certificates.error ? <ErrorBanner title="Could not list certificates" error={certificates.error} /> : null}
            {field(P.certificateArn, 'Certificate (ACM)', {
              options: [
                { value: '', label: certificates.isPending ? 'Loading certificates…' : 'Choose a certificate' },
                ...(certificates.data?.certificates ?? []).map((c) => ({ value: c.arn, label: `${c.domainName} (${c.status})` })),
              ],
            })}
            {field(P.domainName, 'Domain name', { hint: 'The name Benchtop is reached at; the certificate must cover it.' })}
            {field(P.hostedZoneId, 'Route 53 hosted zone (optional)', { hint: 'A public hosted zone of the domain, for the stack to create the record in.' })}
            <DnsRecordNote domain={params[P.domainName] ?? ''} hostedZoneId={params[P.hostedZoneId] ?? ''} />
            {field(P.allowedClientCidr, 'Allowed clients (CIDR)')}
            {field(P.servicesEndpointMode, 'Workers reach the services through', { options: options(P.servicesEndpointMode) })}
          </>
        ) : null}
        {current.id === 'compute' ? (
          <>
            {field(P.servicesInstanceType, 'Services instance', { options: priced(P.servicesInstanceType) })}
            {field(P.cpuWorkerInstanceType, 'CPU workers', { options: priced(P.cpuWorkerInstanceType) })}
            {field(P.cpuWorkerMax, 'CPU workers at most', { type: 'number' })}
            {field(P.gpuWorkerInstanceType, 'GPU workers', { options: priced(P.gpuWorkerInstanceType) })}
            {field(P.gpuWorkerMax, 'GPU workers at most', { type: 'number', hint: '0 creates no GPU workers; preflight checks the G-instance vCPU quota.' })}
          </>
        ) : null}
        {current.id === 'storage' ? (
          <>
            {field(P.dataVolumeSize, 'Data volume (GiB)', { type: 'number' })}
            {field(P.dataVolumeSnapshotId, 'Restore from snapshot (optional)')}
            {field(P.backupRetentionDays, 'Keep daily backups (days)', { type: 'number' })}
            {field(P.logRetentionDays, 'Keep logs (days)', { options: options(P.logRetentionDays) })}
          </>
        ) : null}
        {current.id === 'alarms' ? (
          <>
            {field(P.alarmEmail, 'Alarm e-mail', { type: 'email', hint: 'Alarms and failed backups are sent here; AWS asks it to confirm first.' })}
            {!params[P.alarmEmail]?.trim() ? (
              <label className="wizard__ack">
                <input type="checkbox" checked={noAlarmEmail} onChange={(e) => setNoAlarmEmail(e.target.checked)} /> Install without an alarm e-mail: no one is told when the platform is down, its disk fills or a backup fails
              </label>
            ) : null}
            {field(P.monthlyBudget, 'Monthly budget, USD (0 = none)', { type: 'number' })}
          </>
        ) : null}
      </div>
      {current.id === 'review' ? <ReviewStep target={target} stackName={stackName} params={chosen} onPlanned={install} installing={apply.isPending} /> : null}
      {apply.error ? <ErrorBanner title="Could not start the install" error={apply.error} /> : null}
      {current.id === 'install' ? (
        <>
          <p>
            Installing version {version} as {stackName} in {region}. The deployment is saved: you may close the app, and the Deployment page follows the stack
            again when you reopen it.
          </p>
          <StackProgress target={target} stackName={stackName} onFinal={(f) => setInstalled({ ok: f.ok, status: f.status })} />
          {installed?.ok ? (
            <>
              <p role="status" className="wizard__complete">
                Install complete. <a href="#/deployment">Open the Deployment page</a>
              </p>
              <PlatformConnection deploymentId={deploymentId({ accountId: account, region, name: stackName })} stackName={stackName} />
            </>
          ) : null}
          {installed && !installed.ok ? (
            <p role="alert">
              The install ended in {installed.status}. <a href="#/deployment">Open the Deployment page</a> to clean it up in one step, then install again.
            </p>
          ) : null}
        </>
      ) : null}
      {current.id !== 'install' ? (
        <div className="wizard__nav">
          <Button onClick={() => setStep(step - 1)} disabled={step === 0}>
            Back
          </Button>
          {current.id !== 'review' ? (
            <Button variant="primary" onClick={() => setStep(step + 1)} disabled={blocking.length > 0}>
              Next
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function errorOf(findings: ReturnType<typeof checkParameters>, field: string): { error?: string } {
  const f = findings.find((x) => x.field === field && x.severity === 'error');
  return f ? { error: f.message } : {};
}
