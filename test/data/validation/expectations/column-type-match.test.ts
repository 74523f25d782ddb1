import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchColumnType, pandasDtypeName, parseTypeName } from '../../../../src/data/validation/expectations/column-type-match.js';
import type { ColumnInfo } from '../../../../src/data/validation/expectations/sql-types.js';

const col = (type: string, hasNulls = false): ColumnInfo => ({ name: 'c', type, sql: '"c"', hasNulls });

describe('column-type-match', () => {
  it("names the pandas dtype pandas' readers give each DuckDB type", () => {
    assert.equal(pandasDtypeName(col('BIGINT')), 'int64');
    assert.equal(pandasDtypeName(col('BIGINT', true)), 'float64');
    assert.equal(pandasDtypeName(col('INTEGER')), 'int32');
    assert.equal(pandasDtypeName(col('UTINYINT')), 'uint8');
    assert.equal(pandasDtypeName(col('FLOAT')), 'float32');
    assert.equal(pandasDtypeName(col('BOOLEAN')), 'bool');
    assert.equal(pandasDtypeName(col('BOOLEAN', true)), 'object_');
    assert.equal(pandasDtypeName(col('TIMESTAMP_NS')), 'datetime64');
    assert.equal(pandasDtypeName(col('TIMESTAMP WITH TIME ZONE')), 'Timestamp');
    assert.equal(pandasDtypeName(col('DATE')), 'object_');
    assert.equal(pandasDtypeName(col('DECIMAL(18,3)')), 'object_');
  });

  it('reads numpy aliases and Python builtins as pandas names, SQL names (any case) as DuckDB types', () => {
    assert.deepEqual(parseTypeName('int'), { mode: 'pandas', types: new Set(['np:int64', 'py:int']) });
    assert.deepEqual(parseTypeName('str'), { mode: 'pandas', types: new Set(['np:str_', 'py:str']) });
    assert.deepEqual(parseTypeName('Text'), { mode: 'sql', type: 'VARCHAR', params: undefined });
    assert.deepEqual(parseTypeName('decimal(10, 2)'), { mode: 'sql', type: 'DECIMAL', params: '(10,2)' });
    assert.equal(parseTypeName('integerish'), undefined);
  });

  it('compares typed columns whole and object columns value by value', () => {
    assert.deepEqual(matchColumnType(col('DOUBLE'), parseTypeName('float')!), { kind: 'column', success: true, observed: 'float64' });
    assert.deepEqual(matchColumnType(col('VARCHAR'), parseTypeName('object')!), { kind: 'column', success: true, observed: 'object_' });
    assert.deepEqual(matchColumnType(col('VARCHAR'), parseTypeName('str')!), { kind: 'values', valuesMatch: true });
    assert.deepEqual(matchColumnType(col('BOOLEAN', true), parseTypeName('int')!), { kind: 'values', valuesMatch: true });
    assert.deepEqual(matchColumnType(col('DECIMAL(18,3)'), parseTypeName('DECIMAL')!), { kind: 'column', success: true, observed: 'DECIMAL(18,3)' });
    assert.deepEqual(matchColumnType(col('INTEGER'), parseTypeName('INT')!), { kind: 'column', success: true, observed: 'INTEGER' });
  });
});
