export { buildRig, type Rig, type BuildRigOptions } from './mesh.js';
export { boneTransforms, deformRig, type BoneTransforms } from './deform.js';
export type { SkinWeights } from './weights.js';
export {
  JOINTS, JOINT_INDEX, PARENT, PART_GROUPS, DEFAULT_LAYER_ORDER, ARM_GROUPS, LEG_GROUPS, boneGroup, jointsFromCoco,
  type JointName, type JointPositions, type PartGroup,
} from './skeleton.js';
