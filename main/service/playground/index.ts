export { Playground } from './playground.js';
export { playgroundDir } from './location.js';
