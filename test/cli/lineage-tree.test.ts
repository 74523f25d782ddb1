import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNode, formatLineageTree } from '../../src/cli/lineage-tree.js';
import type { LineageGraph } from '../../src/registry/lineage-types.js';

const graph: LineageGraph = {
  roots: ['model_version:fraud/2'],
  nodes: [
    { id: 'model_version:fraud/2', type: 'model_version', label: 'fraud v2', attributes: { aliases: ['champion'], currentStage: 'None', status: 'READY', source: 'models:/m-1' } },
    { id: 'logged_model:m-1', type: 'logged_model', label: 'clf', attributes: { modelId: 'm-1' } },
    {
      id: 'run:r1',
      type: 'run',
      label: 'trainer',
      attributes: {
        runId: 'r1aaaaaaaaaa',
        experimentId: '7',
        status: 'FINISHED',
        params: { lr: '0.01' },
        metrics: { acc: 0.951234567, loss: 'NaN' },
        codeVersion: { gitCommit: '0123456789abcdef', gitBranch: 'main', gitDirty: false },
      },
    },
    { id: 'run:p', type: 'run', label: 'p', attributes: { runId: 'p', missing: true } },
    { id: 'dataset:train@d1', type: 'dataset', label: 'train (d1)', attributes: { name: 'train', digest: 'd1', sourceType: 'local', source: '/x.csv' } },
    { id: 'experiment:7', type: 'experiment', label: 'fraud-exp', attributes: { experimentId: '7' } },
  ],
  edges: [
    { from: 'logged_model:m-1', to: 'model_version:fraud/2', type: 'registered_as' },
    { from: 'run:r1', to: 'logged_model:m-1', type: 'produced' },
    { from: 'run:r1', to: 'dataset:train@d1', type: 'trained_on', attributes: { context: 'training' } },
    { from: 'run:r1', to: 'run:p', type: 'child_of' },
    { from: 'run:r1', to: 'experiment:7', type: 'part_of' },
  ],
};

describe('formatLineageTree', () => {
  it('draws the graph from its root with box-drawing characters, upstream first', () => {
    assert.equal(
      formatLineageTree(graph),
      [
        'model version fraud v2 @champion · READY',
        '├── source: models:/m-1',
        '└── registered from logged model clf (m-1)',
        '    └── produced by run trainer (r1aaaaaa) · FINISHED',
        '        ├── experiment: fraud-exp (7)',
        '        ├── params: lr=0.01',
        '        ├── metrics: acc=0.951235, loss=NaN',
        '        ├── code: git 0123456789ab (branch main, clean)',
        '        ├── trained on dataset train (digest d1) [training]',
        '        │   └── source: local /x.csv',
        '        └── child of run p (no longer exists)',
      ].join('\n'),
    );
  });

  it('names a node reached twice without expanding it again', () => {
    const g: LineageGraph = {
      roots: ['dataset:a@1'],
      nodes: [
        { id: 'dataset:a@1', type: 'dataset', label: 'a', attributes: { name: 'a', digest: '1' } },
        { id: 'run:x', type: 'run', label: 'x', attributes: { runId: 'x', status: 'FINISHED', params: {}, metrics: {} } },
        { id: 'run:y', type: 'run', label: 'y', attributes: { runId: 'y', status: 'FINISHED', params: {}, metrics: {} } },
      ],
      edges: [
        { from: 'run:x', to: 'dataset:a@1', type: 'trained_on' },
        { from: 'run:y', to: 'dataset:a@1', type: 'trained_on' },
        { from: 'run:y', to: 'run:x', type: 'child_of' },
      ],
    };
    assert.equal(
      formatLineageTree(g),
      [
        'dataset a (digest 1)',
        '├── used by run x (x) · FINISHED',
        '│   ├── params: (none)',
        '│   ├── metrics: (none)',
        '│   └── parent of run y (y) · FINISHED',
        '│       ├── params: (none)',
        '│       ├── metrics: (none)',
        '│       └── trained on dataset a (digest 1) (see above)',
        '└── used by run y (y) · FINISHED (see above)',
      ].join('\n'),
    );
  });

  it('prints each root and says when the graph was cut short', () => {
    const out = formatLineageTree({ ...graph, roots: ['dataset:train@d1', 'experiment:7'], truncated: true });
    assert.match(out, /^dataset train \(digest d1\)\n/);
    assert.match(out, /\n\nexperiment fraud-exp \(7\)\n/);
    assert.match(out, /cut short/);
  });
});

describe('describeNode', () => {
  it('shows a stage other than None and a deleted run', () => {
    assert.equal(describeNode({ id: 'v', type: 'model_version', label: 'm v1', attributes: { aliases: [], currentStage: 'Production', status: 'READY' } }), 'model version m v1 · Production · READY');
    assert.equal(describeNode({ id: 'r', type: 'run', label: 'r', attributes: { runId: 'abc', status: 'FAILED', lifecycleStage: 'deleted' } }), 'run r (abc) · FAILED · deleted');
  });
});
