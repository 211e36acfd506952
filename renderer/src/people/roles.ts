export type PersonRole = 'admin' | 'pi' | 'researcher';

export const PERSON_ROLES: readonly PersonRole[] = ['researcher', 'pi', 'admin'];

export const ROLE_LABEL: Record<string, string> = { admin: 'Admin', pi: 'PI', researcher: 'Researcher', worker: 'Worker (machine)' };

export const ROLE_HELP: Record<PersonRole, string> = {
  researcher: 'Their own capsules, datasets and runs, and what others share with them.',
  pi: 'Reads the whole lab, cancels and re-runs any run, sees cost and the audit trail; no changes to the stack or users.',
  admin: 'Everything, including users, the stack and backups.',
};
