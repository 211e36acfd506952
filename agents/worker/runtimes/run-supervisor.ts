/**
 * The file descriptor on which a supervised run's shell holds its end of a socket pair with the
 * worker. The worker never writes to it: when the worker dies, even by SIGKILL, the kernel closes
 * its end, the supervisor reads end-of-file and kills the run's whole process group.
 */
export const WATCH_FD = 3;

// Node cannot set PR_SET_PDEATHSIG on a child, and a death signal would reach the direct child
// only, not what the run started. So the run starts under this POSIX sh script, leader of the
// run's process group:
// - the command starts first, with the signals as the worker had them;
// - then the supervisor ignores TERM/INT/HUP (a cancel signals the whole group, and the
//   supervisor must outlive the command to report how it ended), and so does its watcher;
// - the watcher (`cat` on the socket) returns at end-of-file and kills the group;
// - when the command ends, the supervisor stops the watcher and ends the way the command did:
//   the same exit code, or killed by the same signal.
const SUPERVISOR = `
"$@" ${WATCH_FD}<&- &
run=$!
trap '' TERM INT HUP
( cat <&${WATCH_FD} >/dev/null 2>&1; kill -KILL 0 ) &
watch=$!
exec ${WATCH_FD}<&-
wait "$run"
status=$?
kill -KILL "$watch" 2>/dev/null
trap - TERM INT HUP
if [ "$status" -gt 128 ]; then kill -s "$(kill -l "$status")" "$$"; fi
exit "$status"
`;

/** argv for /bin/sh: the limits, then the supervisor around `command`. */
export function supervisorArgs(limitsScript: string, command: readonly string[]): string[] {
  return ['-c', `${limitsScript}\n${SUPERVISOR}`, 'benchtop-run', ...command];
}

/** argv for /bin/sh that sets the limits and becomes the command (inside a sandbox, which needs no supervisor). */
export function limitedArgs(limitsScript: string, command: readonly string[]): string[] {
  return ['-c', `${limitsScript}\nexec "$@"`, 'benchtop-run', ...command];
}
