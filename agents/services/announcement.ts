import { tokenFile } from './token-files.js';

// The first stdout line of the services agent. The local sandbox reads the tokens from it; on AWS
// the unit's output goes to a log file that the CloudWatch agent ships, so there the line names
// where the tokens are (the data folder's files, SSM) and never carries their values.

export interface AnnouncedTokens {
  adminToken: string;
  workerToken: string;
  researcherToken: string;
}

export interface Announcement {
  url: string;
  pid: number;
  /** Where each bootstrap token is kept (mode 0600), always. */
  tokenFiles: { admin: string; worker: string; researcher: string };
  /** The SSM path the admin and worker tokens are published under, when they are. */
  tokenParameters?: string;
  adminToken?: string;
  workerToken?: string;
  researcherToken?: string;
}

export function announcement(
  services: AnnouncedTokens & { url: string },
  options: { dataDir: string; pid: number; hideTokens: boolean; ssmPrefix?: string | undefined },
): Announcement {
  const line: Announcement = {
    url: services.url,
    pid: options.pid,
    tokenFiles: { admin: tokenFile(options.dataDir, 'admin'), worker: tokenFile(options.dataDir, 'worker'), researcher: tokenFile(options.dataDir, 'researcher') },
    ...(options.ssmPrefix ? { tokenParameters: options.ssmPrefix } : {}),
  };
  if (options.hideTokens) return line;
  return { ...line, adminToken: services.adminToken, workerToken: services.workerToken, researcherToken: services.researcherToken };
}
