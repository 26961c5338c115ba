export {
  type BinaryMask, dilate, erode, morph3x3, components, largestComponent, fillHoles, insideDistance,
  squaredDistanceTo, countSet, binaryFromSoft,
} from './mask.js';
export { segmentDrawing, segmentDrawingLayers, looksLikeDrawing, maskFromAlpha, hasPlainBackground, type DrawingLayers } from './drawing.js';
export { estimatePaper, looksLikePaper, minChannel, type PaperEstimate } from './paper.js';
export { refineMask, type RefineOptions } from './refine.js';
export { skeletonFromMask, describeSkeletonFromMask, type MaskSkeleton } from './skeleton-from-mask.js';
