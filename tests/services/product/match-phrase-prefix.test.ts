import { describe, expect, it } from 'vitest';
import { matchesPhrasePrefix, tokensOf } from '../../../src/services/product/match-phrase-prefix.js';

describe('phrase-prefix matching as the FTS5 index does it', () => {
  it('folds case and diacritics and splits on everything but letters and digits', () => {
    expect(tokensOf('Crème-Brûlée, 2 PCS')).toEqual(['creme', 'brulee', '2', 'pcs']);
  });

  it('finds the words as consecutive tokens, the last one a prefix, only at token starts', () => {
    expect(matchesPhrasePrefix('Ultra Kettle 5', ['ultra', 'ket'])).toBe(true);
    expect(matchesPhrasePrefix('Ultra-kettle', ['ultra', 'kettle'])).toBe(true);
    expect(matchesPhrasePrefix('Ultra big Kettle', ['ultra', 'ket'])).toBe(false);
    expect(matchesPhrasePrefix('Multra Kettle', ['ultra', 'ket'])).toBe(false);
    expect(matchesPhrasePrefix('Ultra', ['ultra', 'ket'])).toBe(false);
    expect(matchesPhrasePrefix('a Café', ['caf'])).toBe(true);
    expect(matchesPhrasePrefix('', ['caf'])).toBe(false);
  });
});
