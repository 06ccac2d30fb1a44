import { describe, expect, it } from 'vitest';
import { paintError, paintHealth, paintWarning, pickColourLevel } from '../../src/common/paint-text.js';

describe('pickColourLevel', () => {
  it("keeps chalk's detection for the stream (TTY, FORCE_COLOR, TERM) when NO_COLOR is not set", () => {
    expect(pickColourLevel(2, {})).toBe(2);
    expect(pickColourLevel(0, {})).toBe(0);
  });

  it('turns colour off with NO_COLOR, unless it is empty or FORCE_COLOR is set', () => {
    expect(pickColourLevel(3, { NO_COLOR: '1' })).toBe(0);
    expect(pickColourLevel(3, { NO_COLOR: '' })).toBe(3);
    expect(pickColourLevel(1, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(1);
  });
});

describe('painters in a test run (stdout and stderr are not terminals)', () => {
  it('leave text plain', () => {
    if (process.env.FORCE_COLOR !== undefined) return;
    expect(paintHealth('healthy')).toBe('healthy');
    expect(paintError('ecom: boom')).toBe('ecom: boom');
    expect(paintWarning('careful')).toBe('careful');
  });
});
