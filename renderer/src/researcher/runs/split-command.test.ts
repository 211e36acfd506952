import { describe, expect, it } from 'vitest';
import { joinCommand, splitCommand } from './split-command.js';

describe('splitCommand', () => {
  it('splits words, quotes and escapes like a shell, without expanding anything', () => {
    expect(splitCommand(`python3 /code/main.py --name "a b" 'c $HOME' d\\ e ""`)).toEqual({ ok: true, argv: ['python3', '/code/main.py', '--name', 'a b', 'c $HOME', 'd e', ''] });
  });
  it('names an unclosed quote', () => {
    expect(splitCommand(`echo "oops`)).toEqual({ ok: false, error: 'has an unclosed double quote' });
  });
  it('round-trips through joinCommand', () => {
    const argv = ['sh', '-c', "echo 'hi' && ls"];
    expect(splitCommand(joinCommand(argv))).toEqual({ ok: true, argv });
  });
});
