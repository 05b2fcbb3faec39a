/** A scenario whose feature is not in the service yet: reported as not measured, not as a failure. */
export class FeatureMissing extends Error {}
