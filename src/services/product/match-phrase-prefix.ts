/** Folds text as the FTS5 `unicode61` tokenizer does for matching: lower case, diacritics removed. */
const fold = (text: string): string => text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');

/** Splits folded text into the tokens `unicode61` makes: runs of letters, digits and private-use characters. */
export const tokensOf = (text: string): string[] => fold(text).match(/[\p{L}\p{N}\p{Co}]+/gu) ?? [];

/**
 * Whether `text` contains the words as FTS5's phrase-prefix query `"w1 … wn" *` finds them: consecutive tokens, the
 * last one a prefix. Used to list very common searches by scanning products in id order with exactly the filter the
 * index applies, so a page found either way is the same page.
 */
export function matchesPhrasePrefix(text: string, words: readonly string[]): boolean {
  const tokens = tokensOf(text);
  const last = words.length - 1;
  for (let i = 0; i + last < tokens.length; i++) {
    let j = 0;
    while (j < last && tokens[i + j] === words[j]) j++;
    if (j === last && tokens[i + last]!.startsWith(words[last]!)) return true;
  }
  return false;
}
