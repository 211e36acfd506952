import { z } from 'zod';

// The plan in words: what the CLI prints (and gives as --json), what the wizard's review step and
// the Deployment page show. Built by main/deploy/plan-summary.ts from the change set and the
// template's own Metadata (Benchtop.Plan), never from a per-resource table in code.

/** One sentence of the template's Metadata Benchtop.Plan[].Says, shown when its conditions hold. */
export const planSay = z.object({
  Text: z.string(),
  If: z.string().optional(),
  Unless: z.string().optional(),
  IfParam: z.record(z.string(), z.string()).optional(),
  UnlessParam: z.record(z.string(), z.string()).optional(),
});

/** What replacing a resource does to the lab. */
export const planReplacing = z.object({ InterruptsRuns: z.boolean(), Text: z.string() });

export const planArea = z.object({
  Area: z.string().regex(/^[a-z]+$/),
  Title: z.string(),
  Parameters: z.array(z.string()),
  Resources: z.array(z.string()),
  Says: z.array(planSay),
  Replacing: z.record(z.string(), planReplacing).optional(),
});
export type PlanArea = z.infer<typeof planArea>;

/** Metadata Benchtop.Plan of the platform template. */
export const planMetadata = z.array(planArea).min(1);

/** How a line matters: `data-loss` and `interrupts` are shown first and highlighted. */
export const lineKind = z.enum(['exists', 'change', 'replace', 'interrupts', 'data-loss', 'image']);
export type LineKind = z.infer<typeof lineKind>;

export const summaryLine = z.object({
  kind: lineKind,
  text: z.string(),
  /** The resources the line is about (the raw diff names them). */
  resources: z.array(z.string()).default([]),
});
export type SummaryLine = z.infer<typeof summaryLine>;

export const summaryArea = z.object({
  area: z.string(),
  title: z.string(),
  /** What the area holds after the plan is applied. */
  exists: z.array(z.string()),
  /** On an upgrade, what the plan changes in this area (empty on an install). */
  changes: z.array(summaryLine),
});
export type SummaryArea = z.infer<typeof summaryArea>;

export const imageChange = z.object({ parameter: z.string(), from: z.string().optional(), to: z.string(), source: z.string() });

const costPair = z.object({ before: z.number().optional(), after: z.number() });

export const planCost = z.discriminatedUnion('known', [
  z.object({
    known: z.literal(true),
    region: z.string(),
    pricesAsOf: z.string(),
    idleMonthlyUsd: costPair,
    cpuWorkerHourUsd: costPair.extend({ instanceType: z.string() }),
    gpuWorkerHourUsd: costPair.extend({ instanceType: z.string(), enabled: z.boolean() }),
  }),
  z.object({ known: z.literal(false), reason: z.string() }),
]);
export type PlanCost = z.infer<typeof planCost>;

export const planSummary = z.object({
  kind: z.enum(['install', 'upgrade']),
  stackName: z.string(),
  region: z.string(),
  version: z.object({ from: z.string().optional(), to: z.string() }),
  /** Resources the change set adds, modifies or removes. */
  resourceChanges: z.number().int().nonnegative(),
  areas: z.array(summaryArea),
  /** Every replacement, interruption and data risk, also listed in its area. */
  highlights: z.array(summaryLine),
  images: z.object({
    /** True when this plan resolved new images (install, or an update that asked for them). */
    resolved: z.boolean(),
    changes: z.array(imageChange),
  }),
  cost: planCost,
});
export type PlanSummary = z.infer<typeof planSummary>;

/** The kinds a reader must not miss, in the order they are listed. */
export const HIGHLIGHT_KINDS: readonly LineKind[] = ['data-loss', 'interrupts', 'replace', 'image'];
