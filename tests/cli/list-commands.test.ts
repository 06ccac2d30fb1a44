import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsFor } from '../../src/cli/list-commands.js';

const argv = (...words: string[]) => ['node', 'ecom', ...words];

describe('commandsFor', () => {
  it('loads only the named command, also after leading flags', () => {
    expect(commandsFor(argv('service', 'start', 'product'))).toEqual([COMMANDS.service]);
    expect(commandsFor(argv('--debug', 'status', '--json'))).toEqual([COMMANDS.status]);
  });

  it('loads every command for help, no command, or a word that names none (so commander can suggest one)', () => {
    const all = [...new Set(Object.values(COMMANDS))];
    expect(commandsFor(argv())).toEqual(all);
    expect(commandsFor(argv('--help'))).toEqual(all);
    expect(commandsFor(argv('stauts'))).toEqual(all);
  });

  it('each loader registers the command it is listed under, and all of them together register each command once', async () => {
    for (const [name, load] of Object.entries(COMMANDS)) {
      const program = new Command('ecom');
      (await load())(program);
      expect(program.commands.map((c) => c.name())).toContain(name);
    }
    const program = new Command('ecom');
    for (const load of commandsFor(argv('--help'))) (await load())(program);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(Object.keys(COMMANDS).sort());
  });
});
