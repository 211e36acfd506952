/** A deploy failure the admin should read as it is, with what to do next when we know it. */
export class DeployError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    readonly status?: string,
  ) {
    super(message);
    this.name = 'DeployError';
  }
}
