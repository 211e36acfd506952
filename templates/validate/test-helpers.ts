import type { CfnObject } from '../src/cfn-yaml.js';
import { loadTemplate, type TemplateName } from '../src/load-template.js';

/** A deep copy of a real template, to break on purpose. */
export function freshTemplate(name: TemplateName): CfnObject {
  return structuredClone(loadTemplate(name));
}

/** The Properties of one resource of a template copy (throws when absent, so tests stay honest). */
export function propsOf(template: CfnObject, id: string): CfnObject {
  const resource = (template.Resources as CfnObject)[id] as CfnObject | undefined;
  if (!resource) throw new Error(`no resource ${id}`);
  return resource.Properties as CfnObject;
}

export function resourceOf(template: CfnObject, id: string): CfnObject {
  const resource = (template.Resources as CfnObject)[id] as CfnObject | undefined;
  if (!resource) throw new Error(`no resource ${id}`);
  return resource;
}

/** Parameter sets that together take every branch of the platform template's conditions. */
export const SCENARIOS: Array<{ name: string; parameters: Record<string, string> }> = [
  { name: 'defaults (NAT instance, no GPU)', parameters: {} },
  { name: 'NAT gateway, internal load balancer for workers, GPU workers, domain, budget, e-mail', parameters: { NatMode: 'gateway', ServicesEndpointMode: 'load-balancer', GpuWorkerMaxCount: '2', DomainName: 'bench.lab.example.org', PublicHostedZoneId: 'Z0123456789ABC', MonthlyBudgetUsd: '200', AlarmEmail: 'pi@lab.example.org', DataVolumeSnapshotId: 'snap-0123456789abcdef0' } },
  { name: 'existing VPC, internal load balancer', parameters: { ExistingVpcId: 'vpc-0123456789abcdef0', NatMode: 'none', LoadBalancerScheme: 'internal', ExistingPrivateSubnet1: 'subnet-0123456789abcdef1', ExistingPrivateSubnet2: 'subnet-0123456789abcdef2', ExistingPrivateSubnet1Zone: 'eu-west-1a' } },
];
