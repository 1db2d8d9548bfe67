import pg from 'pg';

// PGlite and node-postgres disagree on defaults (bigint: number vs string; numeric: string in both; date: a Date at
// local midnight in pg). Metrics must not change meaning between dev and production, so both drivers get these.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** Ledger amounts are numeric(18,2); as doubles they are exact to the cent below about 90 trillion. */
function parseNumeric(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

export const TEXT_PARSERS: Record<number, (text: string) => unknown> = {
  [INT8]: parseInt8,
  [NUMERIC]: parseNumeric,
  [DATE]: (text: string) => text,
};

/** For a pg Pool's `types` option. */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const custom = format !== 'binary' ? TEXT_PARSERS[oid] : undefined;
    return custom ?? pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
