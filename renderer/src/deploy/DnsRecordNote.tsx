/** The DNS record that makes the domain reach Benchtop: the one the stack creates, or the one the admin must add. */
export function DnsRecordNote({ domain, hostedZoneId }: { domain: string; hostedZoneId: string }) {
  const name = domain.trim();
  if (!name) return null;
  const zone = hostedZoneId.trim();
  return (
    <p className="dns-note" role="note" aria-label="DNS record">
      {zone ? (
        <>
          The stack creates the alias record <code>{name}</code> → the entry load balancer in hosted zone <code>{zone}</code>.
        </>
      ) : (
        <>
          No hosted zone: after the install, add <code>{name} CNAME &lt;load balancer name&gt;</code> where the domain is managed. The Deployment page shows the
          name as <code>EntryLoadBalancerDnsName</code>; until then, https://{name} does not answer.
        </>
      )}
    </p>
  );
}
