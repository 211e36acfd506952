// A CloudFormation template as data: what the YAML reader produces and the template rules read.
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };
export type CfnObject = { [key: string]: CfnValue };
