import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  createPageToken,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseLoggedModelFilter,
  parseOrderBy,
  parsePageToken,
  parseRunFilter,
  SEARCH_FILTER_LIMITS,
} from '../../src/tracking/search-filter.js';

/** Asserts `fn` throws InvalidArgumentError whose message matches `pattern`, and nothing else. */
function rejects(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

/** Parses or throws InvalidArgumentError; anything else fails the test. */
function parsesSafely(filter: string): void {
  try {
    parseRunFilter(filter);
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, `${JSON.stringify(filter.slice(0, 80))} threw ${String(err)}`);
  }
}

describe('parseRunFilter', () => {
  describe('clauses', () => {
    it('gives no clauses for an empty or blank filter', () => {
      assert.deepEqual(parseRunFilter(''), []);
      assert.deepEqual(parseRunFilter('  \n\t '), []);
    });

    it('parses each entity and its aliases', () => {
      assert.deepEqual(parseRunFilter('metrics.acc > 0.9'), [{ type: 'metric', key: 'acc', comparator: '>', value: 0.9 }]);
      assert.deepEqual(parseRunFilter('metric.acc <= -1.5e3'), [{ type: 'metric', key: 'acc', comparator: '<=', value: -1500 }]);
      for (const entity of ['params', 'param', 'parameter', 'parameters']) {
        assert.deepEqual(parseRunFilter(`${entity}.lr = '0.1'`), [{ type: 'param', key: 'lr', comparator: '=', value: '0.1' }]);
      }
      for (const entity of ['tags', 'tag']) {
        assert.deepEqual(parseRunFilter(`${entity}.team != "x"`), [{ type: 'tag', key: 'team', comparator: '!=', value: 'x' }]);
      }
      for (const entity of ['attributes', 'attribute', 'attr', 'run']) {
        assert.deepEqual(parseRunFilter(`${entity}.status = 'FINISHED'`), [
          { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
        ]);
      }
      for (const entity of ['datasets', 'dataset']) {
        assert.deepEqual(parseRunFilter(`${entity}.context = 'training'`), [
          { type: 'dataset', key: 'context', comparator: '=', value: 'training' },
        ]);
      }
    });

    it('treats an unprefixed key as an attribute and resolves aliases', () => {
      assert.deepEqual(parseRunFilter('start_time >= 5'), [{ type: 'attribute', key: 'start_time', comparator: '>=', value: 5 }]);
      assert.deepEqual(parseRunFilter('created < 5'), [{ type: 'attribute', key: 'start_time', comparator: '<', value: 5 }]);
      assert.deepEqual(parseRunFilter("`Run name` = 'x'"), [{ type: 'attribute', key: 'run_name', comparator: '=', value: 'x' }]);
      assert.deepEqual(parseRunFilter("attributes.`run name` LIKE 'x%'"), [
        { type: 'attribute', key: 'run_name', comparator: 'LIKE', value: 'x%' },
      ]);
    });

    it('joins clauses with AND in any case, spaced or not', () => {
      assert.deepEqual(parseRunFilter("metrics.a>1 and params.b='2'AND tags.c ILIKE '%3'"), [
        { type: 'metric', key: 'a', comparator: '>', value: 1 },
        { type: 'param', key: 'b', comparator: '=', value: '2' },
        { type: 'tag', key: 'c', comparator: 'ILIKE', value: '%3' },
      ]);
    });

    it('reads comparators case-insensitively', () => {
      const comparators = (filter: string) => parseRunFilter(filter).map((c) => c.comparator);
      assert.deepEqual(comparators("tags.a like 'x' AND tags.b ilike 'y' AND tags.c in ('z') AND tags.d not  in ('w')"), [
        'LIKE',
        'ILIKE',
        'IN',
        'NOT IN',
      ]);
    });
  });

  describe('keys', () => {
    it('keeps dots in an unquoted key', () => {
      assert.deepEqual(parseRunFilter("tags.mlflow.source.git.commit = 'abc'")[0], {
        type: 'tag',
        key: 'mlflow.source.git.commit',
        comparator: '=',
        value: 'abc',
      });
    });

    it('reads backquoted, double-quoted and single-quoted keys', () => {
      assert.equal(parseRunFilter('metrics.`f1-score (val)` > 0')[0]?.key, 'f1-score (val)');
      assert.equal(parseRunFilter('metrics."train/loss" > 0')[0]?.key, 'train/loss');
      assert.equal(parseRunFilter("metrics.'a b' > 0")[0]?.key, 'a b');
      assert.equal(parseRunFilter('`metrics`.`a.b` > 0')[0]?.key, 'a.b');
      assert.equal(parseRunFilter('metrics.`a``b` > 0')[0]?.key, 'a`b');
    });

    it('reads unicode keys and values', () => {
      assert.deepEqual(parseRunFilter("params.学习率 = 'ναι ☕'")[0], { type: 'param', key: '学习率', comparator: '=', value: 'ναι ☕' });
      assert.equal(parseRunFilter('metrics.`𝑥 ≥ 1` > 0')[0]?.key, '𝑥 ≥ 1');
    });

    it('rejects unknown entities and attributes', () => {
      rejects(() => parseRunFilter('metricz.acc > 1'), /Invalid entity type 'metricz'/);
      rejects(() => parseRunFilter('constructor.x > 1'), /Invalid entity type/);
      rejects(() => parseRunFilter("attributes.lifecycle_stage = 'active'"), /Invalid attribute key 'lifecycle_stage'/);
      rejects(() => parseRunFilter("toString = 'x'"), /Invalid attribute key/);
      rejects(() => parseRunFilter("datasets.source = 'x'"), /Invalid dataset key 'source'/);
    });

    it('rejects a key that needs quotes', () => {
      rejects(() => parseRunFilter('metrics.f1-score > 1'));
      rejects(() => parseRunFilter('metrics. > 1'), /backquotes/);
      rejects(() => parseRunFilter('metrics.a. > 1'));
    });
  });

  describe('values', () => {
    it('unescapes doubled and backslashed quotes only', () => {
      assert.equal(parseRunFilter("tags.q = 'it''s'")[0]?.value, "it's");
      assert.equal(parseRunFilter("tags.q = 'it\\'s'")[0]?.value, "it's");
      assert.equal(parseRunFilter('tags.q = "say ""hi"""')[0]?.value, 'say "hi"');
      assert.equal(parseRunFilter('tags.q = "it\'s"')[0]?.value, "it's");
      assert.equal(parseRunFilter("tags.q = 'C:\\dir\\%'")[0]?.value, 'C:\\dir\\%');
      assert.equal(parseRunFilter("tags.q = ''")[0]?.value, '');
    });

    it('parses lists, allowing a trailing comma', () => {
      assert.deepEqual(parseRunFilter("attributes.run_id IN ('a', \"b\",)")[0], {
        type: 'attribute',
        key: 'run_id',
        comparator: 'IN',
        value: ['a', 'b'],
      });
      assert.deepEqual(parseRunFilter("datasets.name NOT IN('x')")[0]?.value, ['x']);
      assert.deepEqual(parseRunFilter("params.p IN (' , ) ')")[0]?.value, [' , ) ']);
    });

    it('checks value types per entity', () => {
      rejects(() => parseRunFilter("metrics.acc > '1'"), /Expected numeric value type for metric/);
      rejects(() => parseRunFilter('metrics.acc > abc'), /Expected numeric value type for metric. Found abc/);
      rejects(() => parseRunFilter('params.lr = 0.1'), /Expected a quoted string value for parameter/);
      rejects(() => parseRunFilter('tags.t = true'), /Expected a quoted string value for tag/);
      rejects(() => parseRunFilter("attributes.start_time > '1'"), /Expected numeric value type for numeric attribute: start_time/);
      rejects(() => parseRunFilter('attributes.status = 1'), /Expected a quoted string value for attributes/);
      rejects(() => parseRunFilter("attributes.status IN 'a'"), /parenthesised list/);
      rejects(() => parseRunFilter("attributes.status = ('a')"), /quoted string value/);
      rejects(() => parseRunFilter('attributes.status IN ()'), /non-empty list/);
      rejects(() => parseRunFilter('attributes.status IN (1, 2)'), /non-empty list/);
      rejects(() => parseRunFilter("attributes.status IN ('a' 'b')"), /non-empty list/);
      rejects(() => parseRunFilter('metrics.acc > 1.2.3'));
      rejects(() => parseRunFilter('metrics.acc > 1abc'));
    });

    it('checks comparators per entity', () => {
      rejects(() => parseRunFilter("metrics.acc LIKE '1'"), /Invalid comparator 'LIKE'/);
      rejects(() => parseRunFilter("metrics.acc IN ('1')"), /Invalid comparator 'IN'/);
      rejects(() => parseRunFilter("params.lr > '1'"), /Invalid comparator '>'/);
      rejects(() => parseRunFilter('attributes.end_time LIKE 1'), /Invalid comparator 'LIKE'/);
      rejects(() => parseRunFilter('metrics.acc == 1'), /Invalid comparator '=='/);
      rejects(() => parseRunFilter('metrics.acc <> 1'), /Invalid comparator '<>'/);
      rejects(() => parseRunFilter("tags.a NOT LIKE 'x'"), /Expected a comparator/);
      rejects(() => parseRunFilter("tags.a IS 'x'"), /Expected a comparator/);
    });

    it('says to quote a key in backticks when a slash, dash or space cut it short', () => {
      rejects(() => parseRunFilter('metrics.val/acc > 0.7'), /quoted in backticks, e\.g\. metrics\.`val\/acc`/);
      rejects(() => parseRunFilter("params.my-param = 'a'"), /quoted in backticks/);
      assert.doesNotMatch(
        (() => {
          try {
            parseRunFilter("tags.a NOT LIKE 'x'");
            return '';
          } catch (e) {
            return (e as Error).message;
          }
        })(),
        /backticks/,
      );
      assert.equal(parseRunFilter('metrics.`val/acc` > 0.7').length, 1);
    });
  });

  describe('hostile and malformed input', () => {
    it('rejects OR with a hint', () => {
      rejects(() => parseRunFilter("params.a = 'x' OR 1=1"), /OR is not supported.*IN/);
      rejects(() => parseRunFilter("params.a = 'x' or params.b = 'y'"), /OR is not supported/);
    });

    it('rejects statements, comments and stray tokens', () => {
      rejects(() => parseRunFilter('metrics.x > 1; DROP TABLE runs'), /Invalid clause\(s\) in filter string: '; DROP TABLE runs'/);
      rejects(() => parseRunFilter('metrics.x > 1 -- comment'), /Invalid clause/);
      rejects(() => parseRunFilter('metrics.x > 1 /* c */'), /Invalid clause/);
      rejects(() => parseRunFilter("params.a = 'x' params.b = 'y'"), /Join clauses with AND/);
      rejects(() => parseRunFilter("(params.a = 'x')"), /Expected an identifier/);
      rejects(() => parseRunFilter("NOT params.a = 'x'"));
      rejects(() => parseRunFilter('AND metrics.x > 1'));
      rejects(() => parseRunFilter('metrics.x > 1 AND'), /ends with AND/);
      rejects(() => parseRunFilter('metrics.x > 1 AND AND metrics.y > 1'));
      rejects(() => parseRunFilter('metrics.x >'), /Expected a value/);
      rejects(() => parseRunFilter('metrics.x'), /Expected a comparator/);
    });

    it('rejects unbalanced quotes, backquotes and parentheses', () => {
      rejects(() => parseRunFilter("params.a = 'x"), /never closed/);
      rejects(() => parseRunFilter('params.a = "x'), /never closed/);
      rejects(() => parseRunFilter("params.a = 'x\\'"), /never closed/);
      rejects(() => parseRunFilter("params.`a = 'x'"), /never closed/);
      rejects(() => parseRunFilter("params.a IN ('x'"), /non-empty list/);
      rejects(() => parseRunFilter("params.a IN ('x',"), /non-empty list/);
      rejects(() => parseRunFilter("params.a IN 'x')"), /parenthesised list/);
      rejects(() => parseRunFilter("params.a IN (('x'))"), /non-empty list/);
    });

    it('keeps SQL inside quotes as plain values', () => {
      assert.deepEqual(parseRunFilter("params.a = 'x'' OR ''1''=''1'")[0]?.value, "x' OR '1'='1");
      assert.deepEqual(parseRunFilter("params.a = '; DROP TABLE runs; --'")[0]?.value, '; DROP TABLE runs; --');
      assert.equal(parseRunFilter('tags.`x" OR 1=1 --` = \'y\'')[0]?.key, 'x" OR 1=1 --');
    });

    it('rejects a NUL character and non-string input', () => {
      rejects(() => parseRunFilter("params.a = 'x\u0000'"), /NUL/);
      rejects(() => parseRunFilter(42 as unknown as string), /must be a string/);
    });

    it('caps clauses and list values', () => {
      const clauses = Array.from({ length: SEARCH_FILTER_LIMITS.maxClauses + 1 }, (_, i) => `metrics.m${i} > 0`).join(' AND ');
      rejects(() => parseRunFilter(clauses), /at most 200 clauses/);
      const list = Array.from({ length: SEARCH_FILTER_LIMITS.maxListValues + 1 }, (_, i) => `'${i}'`).join(',');
      rejects(() => parseRunFilter(`attributes.run_id IN (${list})`), /at most 10000 list values/);
      const [accepted] = parseRunFilter(`attributes.run_id IN (${list.split(',').slice(1).join(',')})`);
      assert.equal((accepted?.value as string[]).length, 10_000);
    });

    it('handles huge input quickly and keeps messages short', () => {
      const huge = `params.a = '${'x'.repeat(1_000_000)}`;
      const started = Date.now();
      rejects(() => parseRunFilter(huge), /never closed/);
      rejects(() => parseRunFilter(`metrics.x > 1 ${'y'.repeat(1_000_000)}`), (/^.{0,400}$/s));
      assert.equal(parseRunFilter(`${' '.repeat(1_000_000)}params.a = 'b'`).length, 1);
      assert.ok(Date.now() - started < 2000);
    });

    it('never throws anything but InvalidArgumentError on arbitrary input', () => {
      const alphabet = ["'", '"', '`', '(', ')', ',', '.', ' ', '=', '!', '<', '>', '-', '1', 'a', 'AND', 'OR', 'IN', 'NOT', 'LIKE', 'metrics', 'params', 'tags', '\\', ';', 'é', '😀', '\n'];
      let seed = 42;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < 3000; i++) {
        let filter = '';
        const length = Math.floor(random() * 12);
        for (let j = 0; j < length; j++) filter += alphabet[Math.floor(random() * alphabet.length)];
        parsesSafely(filter);
      }
      for (const filter of ['\u0000', '\uD800', '`', "'", '"', '(', 'metrics.`', 'metrics.a IN', 'a.b.c.d.e = 1', '.', '..', '-', '-1 = 1']) {
        parsesSafely(filter);
      }
    });
  });
});

describe('parseLoggedModelFilter', () => {
  it('parses logged-model attributes and aliases beside metrics, params and tags', () => {
    assert.deepEqual(
      parseLoggedModelFilter("name = 'm' AND attributes.status IN ('LOGGED_MODEL_READY') AND creation_time > 5 AND metrics.acc > 0.5 AND params.p = 'x'"),
      [
        { type: 'attribute', key: 'name', comparator: '=', value: 'm' },
        { type: 'attribute', key: 'status', comparator: 'IN', value: ['LOGGED_MODEL_READY'] },
        { type: 'attribute', key: 'creation_timestamp', comparator: '>', value: 5 },
        { type: 'metric', key: 'acc', comparator: '>', value: 0.5 },
        { type: 'param', key: 'p', comparator: '=', value: 'x' },
      ],
    );
  });

  it('rejects run attributes and datasets', () => {
    rejects(() => parseLoggedModelFilter("attributes.run_name = 'x'"), /Invalid attribute key 'run_name'/);
    rejects(() => parseLoggedModelFilter("datasets.name = 'x'"), /Invalid entity type/);
    rejects(() => parseLoggedModelFilter("last_updated_timestamp > '1'"), /Expected numeric value type/);
  });
});

describe('parseOrderBy', () => {
  it('parses entity, key and direction, ASC by default', () => {
    assert.deepEqual(parseOrderBy('metrics.`acc` DESC'), { type: 'metric', key: 'acc', ascending: false });
    assert.deepEqual(parseOrderBy('params.lr ASC'), { type: 'param', key: 'lr', ascending: true });
    assert.deepEqual(parseOrderBy('attributes.start_time'), { type: 'attribute', key: 'start_time', ascending: true });
    assert.deepEqual(parseOrderBy('tags.x desc'), { type: 'tag', key: 'x', ascending: false });
    assert.deepEqual(parseOrderBy('  created  '), { type: 'attribute', key: 'start_time', ascending: true });
    assert.deepEqual(parseOrderBy('metrics.`my key` asc'), { type: 'metric', key: 'my key', ascending: true });
    assert.deepEqual(parseOrderBy('tags.mlflow.runName'), { type: 'tag', key: 'mlflow.runName', ascending: true });
  });

  it('rejects bad order_by clauses', () => {
    rejects(() => parseOrderBy(''), /Could not be parsed/);
    rejects(() => parseOrderBy('metrics.acc sideways'), /Invalid ordering key/);
    rejects(() => parseOrderBy('metrics.acc DESC, params.b'), /Could not be parsed/);
    rejects(() => parseOrderBy('metrics.acc DESC; DROP TABLE runs'), /Could not be parsed/);
    rejects(() => parseOrderBy('datasets.name'), /dataset/);
    rejects(() => parseOrderBy('attributes.lifecycle_stage'), /Invalid attribute key/);
    rejects(() => parseOrderBy('bogus.x'), /Invalid entity type/);
  });
});

describe('parseExperimentFilter', () => {
  it('parses names, times and tags', () => {
    assert.deepEqual(parseExperimentFilter("name LIKE 'a%' AND attributes.creation_time > 5 AND tags.`k` != 'v'"), [
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'a%' },
      { type: 'attribute', key: 'creation_time', comparator: '>', value: 5 },
      { type: 'tag', key: 'k', comparator: '!=', value: 'v' },
    ]);
    assert.deepEqual(parseExperimentFilter('attribute.last_update_time = 1'), [
      { type: 'attribute', key: 'last_update_time', comparator: '=', value: 1 },
    ]);
  });

  it('rejects what MLflow rejects', () => {
    rejects(() => parseExperimentFilter('metrics.a > 1'), /Invalid entity type 'metrics'/);
    rejects(() => parseExperimentFilter("experiment_id = '1'"), /Invalid attribute key 'experiment_id'/);
    rejects(() => parseExperimentFilter("name IN ('a')"), /Invalid comparator 'IN'/);
    rejects(() => parseExperimentFilter("name > 'a'"), /Invalid comparator '>'/);
    rejects(() => parseExperimentFilter("creation_time LIKE '1'"), /Invalid comparator 'LIKE'/);
    rejects(() => parseExperimentFilter("creation_time > '1'"), /Expected numeric value type/);
    rejects(() => parseExperimentFilter("name = 'a' OR name = 'b'"), /OR is not supported/);
  });
});

describe('parseExperimentOrderBy', () => {
  it('parses attributes with a direction', () => {
    assert.deepEqual(parseExperimentOrderBy('name'), { key: 'name', ascending: true });
    assert.deepEqual(parseExperimentOrderBy('attributes.last_update_time DESC'), { key: 'last_update_time', ascending: false });
    assert.deepEqual(parseExperimentOrderBy('experiment_id asc'), { key: 'experiment_id', ascending: true });
  });

  it('rejects tags and unknown keys', () => {
    rejects(() => parseExperimentOrderBy('tags.a'), /Invalid order_by entity: tag/);
    rejects(() => parseExperimentOrderBy('artifact_location'), /Invalid attribute key/);
  });
});

describe('page tokens', () => {
  it('round-trips an offset in MLflow’s format', () => {
    assert.equal(createPageToken(100), 'eyJvZmZzZXQiOiAxMDB9');
    assert.equal(parsePageToken(createPageToken(100)), 100);
    assert.equal(parsePageToken(Buffer.from('{"offset": "7"}').toString('base64')), 7);
    assert.equal(parsePageToken(undefined), 0);
    assert.equal(parsePageToken(''), 0);
  });

  it('rejects tokens it did not write', () => {
    for (const token of [
      'not base64!',
      'abc',
      Buffer.from('nope').toString('base64'),
      Buffer.from('[1]').toString('base64'),
      Buffer.from('{"offset": -5}').toString('base64'),
      Buffer.from('{"offset": 1.5}').toString('base64'),
      Buffer.from('{"offset": 1e300}').toString('base64'),
      Buffer.from('{"offset": "1; drop"}').toString('base64'),
      Buffer.from('{}').toString('base64'),
      'A'.repeat(10_000),
    ]) {
      rejects(() => parsePageToken(token), /Invalid page token/);
    }
  });
});
