import type { Command } from 'commander';

/** The shells `herald completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The hidden command the scripts call with the words typed so far; it prints one candidate per line. */
export const COMPLETE_COMMAND = '__complete';

/**
 * A script that asks `herald __complete` for candidates, so completion always matches the command tree of
 * the herald that runs it (commander has no completion of its own).
 */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return [
        '# herald completion for bash: source <(herald completion bash)',
        '_herald() {',
        '  local IFS=$\'\\n\'',
        `  COMPREPLY=($(herald ${COMPLETE_COMMAND} "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))`,
        '}',
        'complete -o default -F _herald herald',
        '',
      ].join('\n');
    case 'zsh':
      return [
        '#compdef herald',
        '# herald completion for zsh: source <(herald completion zsh)',
        '_herald() {',
        `  local -a candidates=("\${(@f)$(herald ${COMPLETE_COMMAND} "\${(@)words[2,CURRENT]}" 2>/dev/null)}")`,
        '  compadd -- "${candidates[@]}"',
        '}',
        'compdef _herald herald',
        '',
      ].join('\n');
    case 'fish':
      return [
        '# herald completion for fish: herald completion fish | source',
        `complete -c herald -f -a '(herald ${COMPLETE_COMMAND} (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'`,
        '',
      ].join('\n');
  }
}

/**
 * Candidates for the last of `words` (what is being typed; may be empty): subcommands, the options of the
 * command reached, or the choices of the option before it. Walks the tree with commander's public API.
 */
export function completionCandidates(program: Command, words: readonly string[]): string[] {
  const typed = words.length ? words[words.length - 1]! : '';
  let command = program;
  for (let i = 0; i < words.length - 1; i++) {
    const word = words[i]!;
    if (word.startsWith('-')) {
      // Skip the value of an option that takes one.
      const option = command.options.find((o) => o.long === word || o.short === word);
      if (option && (option.required || option.optional) && !word.includes('=')) i++;
      continue;
    }
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) command = sub;
  }
  const previous = words.length > 1 ? words[words.length - 2]! : undefined;
  const valued = previous?.startsWith('-') ? command.options.find((o) => o.long === previous || o.short === previous) : undefined;
  let candidates: string[];
  if (valued?.argChoices) candidates = valued.argChoices;
  else if (valued && valued.required) candidates = [];
  else if (typed.startsWith('-')) candidates = [...command.options.flatMap((o) => (o.long ? [o.long] : [])), '--help'];
  else candidates = [...command.commands.map((c) => c.name()), ...command.registeredArguments.flatMap((a) => a.argChoices ?? [])];
  return candidates.filter((c) => c.startsWith(typed));
}
