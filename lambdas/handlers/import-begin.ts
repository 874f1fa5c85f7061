// Placeholder while the import is being written.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented');
};
