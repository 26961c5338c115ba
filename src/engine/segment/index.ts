export {
  type BinaryMask, dilate, erode, morph3x3, components, largestComponent, fillHoles, insideDistance,
  squaredDistanceTo, countSet, binaryFromSoft,
} from './mask.js';
export { segmentDrawing, maskFromAlpha, hasPlainBackground, gaussianBlur } from './drawing.js';
export { refineMask, type RefineOptions } from './refine.js';
export { skeletonFromMask } from './skeleton-from-mask.js';
