export { createDetector, detectorNames, DEFAULT_DETECTOR, isDetectorName, scoreSeries } from './registry.js';
export type { Direction, DetectorOptions, StreamingDetector } from './types.js';
