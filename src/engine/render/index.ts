export { drawRig, type RgbCanvas, type PremultipliedTexture, type DrawTransform } from './raster.js';
export { makeCharacterTexture } from './texture.js';
export { inpaint } from './inpaint.js';
export { resizeRgb, rgbOf } from './resize.js';
export { drawSkeleton, drawMeshWireframe, drawLine } from './debug-draw.js';
