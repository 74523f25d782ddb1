import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'agile', 'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'daring', 'eager', 'fast', 'gentle',
  'glad', 'grand', 'honest', 'keen', 'kind', 'lively', 'lucky', 'merry', 'mighty', 'nimble', 'noble', 'polite',
  'proud', 'quick', 'quiet', 'rare', 'sharp', 'shy', 'silent', 'smooth', 'steady', 'sunny', 'swift', 'tidy',
  'vivid', 'warm', 'wise', 'zesty',
];
const NOUNS = [
  'ant', 'bass', 'bear', 'bee', 'cat', 'crab', 'crane', 'deer', 'dove', 'eel', 'elk', 'ferret', 'finch', 'fox',
  'frog', 'gull', 'hare', 'hawk', 'heron', 'ibis', 'jay', 'koi', 'lark', 'lynx', 'mole', 'moth', 'newt', 'otter',
  'owl', 'panda', 'pike', 'quail', 'ram', 'robin', 'seal', 'shark', 'snail', 'swan', 'toad', 'wolf',
];

/** A readable random run name such as "swift-otter-417", in the spirit of MLflow's generated names. */
export function generateRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
