// The public face of templates/: what the deploy engine, the Setup wizard and the CLI use.
export { STACK_VERSION, AGENT_BUNDLE_VERSION, agentBundleKey } from './version.js';
export { loadTemplate, templateFile, type TemplateName } from './load-template.js';
export { BUNDLED_BOOT_SCRIPTS, bundledBootScript } from './boot-scripts.js';
export {
  renderPlatformTemplate, renderTemplate, platformParameters, checkPlatformParameters,
  ParameterError, PLATFORM_METRICS, TEMPLATE_BODY_LIMIT_BYTES, TEMPLATE_URL_LIMIT_BYTES, type TemplateFormat,
} from './platform.js';
export {
  ParameterValuesSchema, ParameterSpecSchema, toCloudFormationParameters,
  type ParameterValues, type ParameterSpec, type ParameterCheck,
} from './parameters.js';
export { estimateMonthlyCost, CostEstimateSchema, type CostEstimate, type UsageAssumptions } from '../cost/estimate.js';
export { PRICED_REGIONS, PRICES_AS_OF } from '../cost/price-table.js';
