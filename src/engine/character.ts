/**
 * Character analysis: from the reference image to a rigged, textured character and a clean plate.
 * Photos and illustrations are segmented by the person-segmentation model; drawings on plain paper
 * (where that model fails) by the classical threshold/flood-fill method; images with real
 * transparency by their alpha channel.
 */
import { AppError } from '../domain/errors.js';
import type { PoseWorkerPool } from './pose/pool.js';
import { detectImagePose } from './pose/image-pose.js';
import {
  binaryFromSoft, describeSkeletonFromMask, looksLikeDrawing, maskFromAlpha, refineMask, segmentDrawingLayers, type BinaryMask,
} from './segment/index.js';
import { characterExtent } from './segment/extent.js';
import { refineByColour } from './segment/colour-refine.js';
import { buildRig, type Rig } from './rig/index.js';
import { JOINTS, JOINT_INDEX, jointsFromCoco, type JointPositions } from './rig/skeleton.js';
import { inpaint, makeCharacterTexture, resizeRgb, rgbOf, type PremultipliedTexture } from './render/index.js';
import type { RasterImage, SoftMask } from './types.js';
import { buildHiddenTexture } from './hidden-texture.js';

export type SegmentationMethod = 'alpha' | 'drawing' | 'person-model';

export interface Character {
  image: RasterImage;
  rig: Rig;
  texture: PremultipliedTexture;
  mask: BinaryMask;
  softMask: SoftMask;
  /** What each layer hides in the picture, filled from that layer's own pixels (see hidden-texture.ts). */
  hiddenTexture: PremultipliedTexture | null;
  /** The reference image with the character removed and the hole filled. */
  plate: RasterImage;
  /** What the plate filled: the character, its soft edge and shadow, and clutter that would be left torn. */
  plateHole: BinaryMask;
  joints: JointPositions;
  present: boolean[];
  segmentation: SegmentationMethod;
  skeletonSource: 'pose-model' | 'mask-shape';
}

const MIN_JOINT_CONF = 0.25;
/** A character shorter than this share of the image height is taken for an empty segmentation. */
const MIN_MASK_HEIGHT_FRACTION = 0.05;

function maskCoverage(m: SoftMask): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i] > 0.5 ? 1 : 0;
  return s / m.data.length;
}

interface Segmentation {
  soft: SoftMask; method: SegmentationMethod;
  /** A drawing's ink opacity and its figure without the mesh's margin (its skeleton is found from that). */
  alpha?: SoftMask; body?: SoftMask;
}

/** The drawing method's mask when it found a figure of plausible size, else null. */
function drawingSegmentation(image: RasterImage): Segmentation | null {
  const drawn = segmentDrawingLayers(image);
  const cover = maskCoverage(drawn.shape);
  return cover > 0.005 && cover < 0.9 ? { soft: drawn.shape, alpha: drawn.alpha, body: drawn.body, method: 'drawing' } : null;
}

async function segment(image: RasterImage, pool: PoseWorkerPool): Promise<Segmentation> {
  const alpha = maskFromAlpha(image);
  if (alpha) return { soft: alpha, method: 'alpha' };
  if (looksLikeDrawing(image)) {
    const drawn = drawingSegmentation(image);
    if (drawn) return drawn;
  }
  // The model's unsure outline decided by the picture's colours (a chunk of sky by a hair bun).
  return { soft: refineByColour(image, await pool.segment(image)), method: 'person-model' };
}

function maskHeight(m: BinaryMask): number {
  let top = -1; let bottom = -1;
  for (let y = 0; y < m.height; y++) {
    const row = m.data.subarray(y * m.width, (y + 1) * m.width);
    if (row.includes(1)) { if (top < 0) top = y; bottom = y; }
  }
  return top < 0 ? 0 : bottom - top + 1;
}

/** Reference images above this are analysed (and drawn) at this size: plenty for a 720p output. */
export const MAX_CHARACTER_PIXELS = 3_000_000;

export function limitPixels(image: RasterImage): RasterImage {
  const px = image.width * image.height;
  if (px <= MAX_CHARACTER_PIXELS) return image;
  const k = Math.sqrt(MAX_CHARACTER_PIXELS / px);
  return resizeRgb(image, Math.max(1, Math.round(image.width * k)), Math.max(1, Math.round(image.height * k)));
}

/**
 * `source` is the image's size as sent (before limitPixels), named in refusals so the user
 * recognises it.
 */
export async function analyzeCharacter(image: RasterImage, pool: PoseWorkerPool, source?: { width: number; height: number }): Promise<Character> {
  const [segmented, detected] = await Promise.all([segment(image, pool), detectImagePose(image, pool)]);
  let seg = segmented;
  const size = `${source?.width ?? image.width}x${source?.height ?? image.height} px`;

  let joints: JointPositions;
  let present: boolean[];
  let skeletonSource: Character['skeletonSource'];
  let refined: ReturnType<typeof refineMask>;
  if (detected) {
    const fromCoco = jointsFromCoco(detected.pose);
    joints = fromCoco.joints;
    present = JOINTS.map((_, i) => fromCoco.confidence[i] >= MIN_JOINT_CONF);
    const keepNear = [JOINT_INDEX.root, JOINT_INDEX.neck, JOINT_INDEX.head]
      .filter((j) => present[j]).map((j) => ({ x: joints[2 * j], y: joints[2 * j + 1] }));
    refined = refineMask(seg.soft, { keepNear, alpha: seg.alpha });
    skeletonSource = 'pose-model';
  } else {
    refined = refineMask(seg.soft, { alpha: seg.alpha });
    const skeletonOf = (s: Segmentation, r: typeof refined) => describeSkeletonFromMask(s.body ? binaryFromSoft(s.body) : r.binary);
    let fromShape = skeletonOf(seg, refined);
    if (!fromShape.joints && seg.method === 'person-model') {
      // A drawing the paper test missed (a busy table, a coloured sheet): try it as one.
      const drawn = drawingSegmentation(image);
      const drawnRefined = drawn ? refineMask(drawn.soft, { alpha: drawn.alpha }) : null;
      const drawnShape = drawn && drawnRefined ? skeletonOf(drawn, drawnRefined) : null;
      if (drawn && drawnRefined && drawnShape?.joints) { seg = drawn; refined = drawnRefined; fromShape = drawnShape; }
    }
    if (!fromShape.joints) {
      const message = seg.method === 'drawing'
        ? `no figure was found in the drawing (${size}): ${fromShape.missing}; draw one figure on plain paper with a head on top, two arms and two legs`
        : `no person or figure was found in the image (${size}): the pose model saw no body, and in the person segmentation it ${fromShape.missing}; use an image showing one character, ideally full body and facing the camera`;
      throw new AppError('IMAGE_NO_PERSON_DETECTED', message, { field: 'image' });
    }
    joints = fromShape.joints;
    present = JOINTS.map(() => true);
    skeletonSource = 'mask-shape';
  }
  if (!present[JOINT_INDEX.root] || !present[JOINT_INDEX.neck]) {
    throw new AppError('IMAGE_NO_PERSON_DETECTED',
      `the character's torso was not found in the image (${size}): shoulders and hips must be visible; use an image showing the character's upper body at least`,
      { field: 'image' });
  }

  return assembleCharacter(image, refined, joints, present, seg.method, skeletonSource);
}

/** Rig, texture and clean plate for a character whose mask and joints are known. */
export function assembleCharacter(
  image: RasterImage, refined: { binary: BinaryMask; soft: SoftMask }, joints: JointPositions, present: boolean[],
  segmentation: SegmentationMethod, skeletonSource: Character['skeletonSource'],
): Character {
  // An empty mask would "animate" nothing: the output would be the still image.
  if (maskHeight(refined.binary) < MIN_MASK_HEIGHT_FRACTION * refined.binary.height) {
    throw new AppError('IMAGE_NO_PERSON_DETECTED',
      `no character could be separated from the background (${image.width}x${image.height} px): the ${segmentation === 'person-model' ? 'person segmentation' : segmentation === 'alpha' ? 'alpha channel' : 'figure outline'} is empty; use an image where the character stands out`,
      { field: 'image' });
  }
  // Props join the character; glow, shadow and small clutter the hole leaves torn are filled too.
  const extent = characterExtent(image, refined, joints, present, { inkAlpha: segmentation === 'drawing', cutGroundIsBackground: segmentation === 'person-model' });
  const rig = buildRig(extent.mask, joints, { present, image });
  const plate = inpaint(rgbOf(image), extent.hole);
  const texture = makeCharacterTexture(image, extent.soft, plate);
  const hiddenTexture = buildHiddenTexture(image, rig, segmentation === 'drawing' ? texture : undefined);
  return {
    image, rig, texture, hiddenTexture, mask: extent.mask, softMask: extent.soft, plate, plateHole: extent.hole, joints, present, segmentation, skeletonSource,
  };
}
