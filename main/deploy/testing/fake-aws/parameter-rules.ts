// CloudFormation's checks of parameter values against the template's constraints, with the error
// texts it answers (a ValidationError before any change set exists). AllowedPattern is matched
// against the whole value, as Java's Pattern.matches does. ConstraintDescription replaces the
// generic sentence: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html

interface ParameterDefinition {
  Type?: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  ConstraintDescription?: string;
  NoEcho?: boolean | string;
}

function violation(name: string, value: string, def: ParameterDefinition): string | undefined {
  const malformed = (generic: string) => `Malformed input-Parameter ${name} ${def.ConstraintDescription ?? generic}`;
  const isList = def.Type === 'CommaDelimitedList' || def.Type?.startsWith('List<');
  const items = isList ? value.split(',').map((v) => v.trim()) : [value];
  if (def.AllowedValues && items.some((v) => !def.AllowedValues!.map(String).includes(v))) return `Parameter '${name}' must be one of AllowedValues`;
  if (def.AllowedPattern !== undefined && items.some((v) => !new RegExp(`^(?:${def.AllowedPattern})$`, 'u').test(v))) return malformed(`must match pattern ${def.AllowedPattern}`);
  if (def.MinLength !== undefined && value.length < Number(def.MinLength)) return malformed(`must contain at least ${def.MinLength} characters`);
  if (def.MaxLength !== undefined && value.length > Number(def.MaxLength)) return malformed(`must contain at most ${def.MaxLength} characters`);
  if (def.Type === 'Number' || def.Type === 'List<Number>') {
    if (items.some((v) => v === '' || !Number.isFinite(Number(v)))) return `Parameter '${name}' must be a number`;
    if (def.MinValue !== undefined && items.some((v) => Number(v) < Number(def.MinValue))) return malformed(`must be a number not less than ${def.MinValue}`);
    if (def.MaxValue !== undefined && items.some((v) => Number(v) > Number(def.MaxValue))) return malformed(`must be a number not greater than ${def.MaxValue}`);
  }
  return undefined;
}

/**
 * The first refusal CloudFormation would answer for these values, or undefined. Values not given
 * take the Default; a parameter with neither is missing.
 */
export function checkParameterValues(definitions: Record<string, unknown>, given: Record<string, string>): string | undefined {
  const missing = Object.entries(definitions)
    .filter(([name, def]) => given[name] === undefined && (def as ParameterDefinition).Default === undefined)
    .map(([name]) => name);
  if (missing.length > 0) return `Parameters: [${missing.join(', ')}] must have values`;
  for (const [name, raw] of Object.entries(definitions)) {
    const def = raw as ParameterDefinition;
    const value = given[name] ?? String(def.Default);
    const refused = violation(name, value, def);
    if (refused) return refused;
  }
  return undefined;
}
