/** How the output is framed: like the character's image, or like the driving video. */
export type CharacterOrientation = 'image' | 'video';

export const ORIENTATIONS: readonly CharacterOrientation[] = ['image', 'video'];
