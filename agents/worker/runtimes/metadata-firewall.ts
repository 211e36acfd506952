import { readFile } from 'node:fs/promises';

/**
 * Where the boot leaves the DOCKER-USER chains as root listed them (`iptables -S`, then
 * `ip6tables -S`), after inserting the drops below (templates/boot/lib/metadata-firewall.sh).
 * The worker runs as an unprivileged user, for whom `iptables -C` fails whatever the rules are,
 * so it reads this root-owned file instead. It lives in /run, which is emptied at every boot,
 * and the unit that writes it runs at every boot before the worker's (which requires it): a file
 * present means this boot's firewall was applied.
 */
export const METADATA_FIREWALL_RULES = '/run/benchtop/metadata-firewall.rules';

/** The instance metadata service, IPv4 and the Nitro IPv6 endpoint, as `iptables -S` prints the drops. */
export const METADATA_DROP_RULES = ['-A DOCKER-USER -d 169.254.169.254/32 -j DROP', '-A DOCKER-USER -d fd00:ec2::254/128 -j DROP'];

const HOW_TO_FIX = `On an instance the boot applies it (benchtop-metadata-firewall.service: systemctl status benchtop-metadata-firewall). Elsewhere, as root: iptables -I DOCKER-USER -d 169.254.169.254/32 -j DROP; ip6tables -I DOCKER-USER -d fd00:ec2::254/128 -j DROP; then list both chains (iptables -S DOCKER-USER; ip6tables -S DOCKER-USER) into the rules file`;

/** Rejects unless the rules file lists every drop, saying which are missing and how to fix it. */
export async function checkMetadataFirewall(rulesFile: string = METADATA_FIREWALL_RULES): Promise<void> {
  let listing: string;
  try {
    listing = await readFile(rulesFile, 'utf8');
  } catch (error) {
    throw new Error(`the docker runtime refuses to run containers that could reach the instance metadata service: ${rulesFile} is missing or unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so the firewall that drops it is not known to be in place. ${HOW_TO_FIX}.`);
  }
  const lines = new Set(listing.split('\n').map((l) => l.trim()));
  const missing = METADATA_DROP_RULES.filter((rule) => !lines.has(rule));
  if (missing.length > 0) {
    throw new Error(`the docker runtime refuses to run containers that could reach the instance metadata service: ${rulesFile} does not list ${missing.map((r) => `"${r}"`).join(' and ')}. ${HOW_TO_FIX}.`);
  }
}
