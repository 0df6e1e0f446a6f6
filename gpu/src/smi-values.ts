/**
 * nvidia-smi prints values as text: `631.95 W`, `19818 MiB`, `40 C`, `16x`, `0x0000000000000001`,
 * `Yes`, `Not Active`, `P0`, and several spellings of "no value". These turn them into numbers.
 */
export type SmiConversion = 'number' | 'hex' | 'flag' | 'pstate';

/** A value nvidia-smi could not give: `[N/A]`, `N/A`, `[Requested functionality has been deprecated]`, `[Not Supported]`... */
export function isSmiMissing(raw: string): boolean {
  return raw === '' || raw === 'N/A' || (raw.startsWith('[') && raw.endsWith(']'));
}

const FLAGS: Readonly<Record<string, number>> = {
  Yes: 1,
  No: 0,
  Active: 1,
  'Not Active': 0,
  Enabled: 1,
  Disabled: 0,
};

const NUMBER_WITH_UNIT = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*)?$/;

export class SmiValueError extends Error {}

/**
 * The number in `raw`, undefined when nvidia-smi reports no value; throws SmiValueError when the
 * text is not what the conversion expects (wrong unit, not a number).
 */
export function parseSmiValue(raw: string, conversion: SmiConversion, unit?: string): number | undefined {
  const text = raw.trim();
  if (isSmiMissing(text)) return undefined;
  switch (conversion) {
    case 'hex': {
      if (!/^0x[0-9a-fA-F]+$/.test(text)) throw new SmiValueError(`"${text}" is not a hexadecimal mask`);
      return Number.parseInt(text.slice(2), 16);
    }
    case 'flag': {
      const flag = FLAGS[text];
      if (flag === undefined) throw new SmiValueError(`"${text}" is not one of ${Object.keys(FLAGS).join(', ')}`);
      return flag;
    }
    case 'pstate': {
      const match = /^P(\d{1,2})$/.exec(text);
      if (!match) throw new SmiValueError(`"${text}" is not a performance state P0..P15`);
      return Number(match[1]);
    }
    case 'number': {
      const match = NUMBER_WITH_UNIT.exec(text);
      if (!match) throw new SmiValueError(`"${text}" is not a number`);
      const printedUnit = match[2]?.trim();
      if (printedUnit !== undefined && printedUnit !== unit) {
        throw new SmiValueError(`"${text}" is in ${printedUnit}, expected ${unit ?? 'no unit'}`);
      }
      return Number(match[1]);
    }
  }
}
