/**
 * The one neutraliser all three front-ends use: no runner command survives it, JSON keeps its
 * exact values, and plain text reads the same.
 */
import { neutralizeCommands, oneLine } from '../../../shared/outsideText';

const ZWSP = /\u200b/g;

/** Lines a GitHub runner or an Azure Pipelines agent would execute. */
const commandLines = (text: string): string[] =>
  text.split(/\r?\n|\r/).filter((l) => /^\s*::/.test(l) || /##\[/.test(l) || /##vso\[/i.test(l));

describe('neutralizeCommands', () => {
  const hostile =
    'deploy\n    ::add-mask::Live\n::set-output name=x::1\nok ##[error]x ##VSO[task.setvariable variable=X]yes';

  it('leaves no line a runner would execute, and reads the same', () => {
    const safe = neutralizeCommands(hostile);
    expect(commandLines(safe)).toEqual([]);
    expect(safe.replace(ZWSP, '')).toBe(hostile);
  });

  it('leaves ordinary text alone', () => {
    for (const text of ['a :: b', 'plain ## [x]', 'C:: drive', 'x::y', '#hashtag [1]']) {
      expect(neutralizeCommands(text)).toBe(text);
    }
  });

  it('keeps a JSON document parseable to the exact same value, without a command in its text', () => {
    const doc = { justification: hostile, nested: ['##[group]x', '##vso[task.complete]'] };
    const text = neutralizeCommands(JSON.stringify(doc, null, 2), { json: true });
    expect(commandLines(text)).toEqual([]);
    expect(JSON.parse(text)).toEqual(doc);
  });
});

describe('oneLine', () => {
  it('folds every kind of line break and drops terminal control characters', () => {
    const folded = oneLine('a\r\nb\nc\rd\u2028e\u0085f\u000bg\u001b[31mred\u0007');
    expect(folded).toBe('a ⏎ b ⏎ c ⏎ d ⏎ e ⏎ f ⏎ g[31mred');
    expect(oneLine('tab\tkept')).toBe('tab\tkept');
  });
});
