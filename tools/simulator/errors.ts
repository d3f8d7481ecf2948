// gRPC status codes and the grpc-gateway v1 error envelope the PX-Backup REST API returns.

export const Code = {
    OK: 0,
    Canceled: 1,
    Unknown: 2,
    InvalidArgument: 3,
    DeadlineExceeded: 4,
    NotFound: 5,
    AlreadyExists: 6,
    PermissionDenied: 7,
    ResourceExhausted: 8,
    FailedPrecondition: 9,
    Aborted: 10,
    OutOfRange: 11,
    Unimplemented: 12,
    Internal: 13,
    Unavailable: 14,
    DataLoss: 15,
    Unauthenticated: 16,
} as const;

/** grpc-gateway v1 `HTTPStatusFromCode`. */
export function httpStatusFromCode(code: number): number {
    switch (code) {
        case Code.OK:
            return 200;
        case Code.Canceled:
            return 408;
        case Code.Unknown:
            return 500;
        case Code.InvalidArgument:
            return 400;
        case Code.DeadlineExceeded:
            return 504;
        case Code.NotFound:
            return 404;
        case Code.AlreadyExists:
            return 409;
        case Code.PermissionDenied:
            return 403;
        case Code.ResourceExhausted:
            return 429;
        case Code.FailedPrecondition:
            return 400;
        case Code.Aborted:
            return 409;
        case Code.OutOfRange:
            return 400;
        case Code.Unimplemented:
            return 501;
        case Code.Internal:
            return 500;
        case Code.Unavailable:
            return 503;
        case Code.DataLoss:
            return 500;
        case Code.Unauthenticated:
            return 401;
        default:
            return 500;
    }
}

/** A gRPC-style failure; rendered as `{error, code, message}` (empty `details` omitted, as jsonpb does). */
export class ApiError extends Error {
    constructor(
        readonly code: number,
        message: string,
    ) {
        super(message);
    }
    get httpStatus(): number {
        return httpStatusFromCode(this.code);
    }
    body(): { error: string; code: number; message: string } {
        return { error: this.message, code: this.code, message: this.message };
    }
}

export const invalid = (message: string) => new ApiError(Code.InvalidArgument, message);
export const notFound = (label: string, name: string) =>
    new ApiError(Code.NotFound, `failed to retrieve ${label} [${name}]: object not found`);
export const alreadyExists = (label: string, name: string, suffix = "") =>
    new ApiError(Code.AlreadyExists, `${label} with name ${name} already exists${suffix}`);
