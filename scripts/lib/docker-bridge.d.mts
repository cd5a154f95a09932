/** The host's address on the Docker engine's default bridge; throws when it cannot be told. */
export function dockerBridgeAddress(): string;
