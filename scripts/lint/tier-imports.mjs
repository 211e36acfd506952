// ESLint rule: which tier may import which. A tier is a top-level folder (agents split into its two
// agents); a relative import is resolved to the file it names and refused when that file's tier is
// not one this file's tier may use. Tests and test support may reach across tiers: they do not ship.
import path from 'node:path';

const NODE_BUILTIN = /^(node:|(fs|path|os|child_process|crypto|http|https|net|stream|url|util|worker_threads|zlib|events|buffer|process|readline|tls|dns)(\/|$))/;

/** What each tier may import: other tiers, and which packages. */
export const TIERS = {
  common: { tiers: ['common'], packages: (p) => p === 'zod' || p.startsWith('zod/'), why: 'common/ is the pure layer: it may import only itself and zod' },
  lib: { tiers: ['common', 'lib'], why: 'lib/ is shared by main and the agents: it may import only common/ and lib/' },
  'agents/services': { tiers: ['common', 'lib', 'agents/services'], why: 'an agent is bundled alone: agents/services may import only common/, lib/ and its own folder' },
  'agents/worker': { tiers: ['common', 'lib', 'agents/worker'], why: 'an agent is bundled alone: agents/worker may import only common/, lib/ and its own folder' },
  templates: { tiers: ['common', 'lib', 'templates'], why: 'templates/ may import only common/, lib/ and itself' },
  main: { tiers: ['common', 'lib', 'main', 'templates'], why: 'main/ may import common/, lib/, templates/ and itself, never an agent\'s internals (start agents as processes)' },
  renderer: { tiers: ['common', 'renderer'], packages: (p) => !NODE_BUILTIN.test(p), why: 'the renderer runs in a browser page: it may import only common/ and itself, and no Node module' },
};

export function tierOf(repoPath) {
  const [top, second] = repoPath.split('/');
  if (top === 'agents') return second === 'services' || second === 'worker' ? `agents/${second}` : undefined;
  return top in TIERS ? top : undefined;
}

export function isTestFile(repoPath) {
  return /\.test\.tsx?$/.test(repoPath) || /(^|\/)testing\//.test(repoPath) || /test-support/.test(repoPath);
}

export const tierImports = {
  meta: { type: 'problem', schema: [], messages: { tier: '{{why}} (this imports {{what}}).' } },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const tier = tierOf(file);
    if (!tier || isTestFile(file)) return {};
    const rule = TIERS[tier];
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        const targetTier = tierOf(target) ?? target.split('/')[0];
        if (!rule.tiers.includes(targetTier)) context.report({ node, messageId: 'tier', data: { why: rule.why, what: target } });
      } else if (rule.packages && !rule.packages(spec)) {
        context.report({ node, messageId: 'tier', data: { why: rule.why, what: `the package "${spec}"` } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'tier-imports': tierImports } };
