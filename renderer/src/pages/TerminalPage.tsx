import { PageHeader } from '../components/PageHeader.js';
import { useHashPath } from '../shell/hash-location.js';
import { TerminalWorkspace } from '../terminal/TerminalWorkspace.js';
import '../terminal/terminal.css';

export function TerminalPage() {
  const path = useHashPath();
  return (
    <>
      <PageHeader
        title="Terminal"
        description="Shells on the stack's instances through SSM Session Manager (no SSH keys, no open ports), inside a running run, or on the sandbox host. Ctrl+Shift+C/V copy and paste, Ctrl+Shift+F searches."
      />
      <TerminalWorkspace path={path} />
    </>
  );
}
