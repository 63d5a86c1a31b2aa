/* The library's one error enum. 0 is success; every failure a packet can
 * meet has its own value, so that a drop is counted with its reason. */
#ifndef AEGW_ERROR_H
#define AEGW_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#define AEGW_FOREACH_ERROR(X)                                                \
	X(OK, "ok")                                                          \
	X(TRUNCATED, "packet shorter than its headers and trailer")          \
	X(BAD_VERSION, "RTP/RTCP version is not 2")                          \
	X(BAD_HEADER, "CSRC list or header extension runs past the end")     \
	X(AUTH_FAILED, "authentication tag mismatch")                        \
	X(REPLAY, "replayed packet (index already seen)")                    \
	X(TOO_OLD, "index older than the replay window")                     \
	X(KEY_EXPIRED, "master key lifetime exhausted")                      \
	X(UNKNOWN_MKI, "MKI names no master key of this stream")             \
	X(POLICY, "packet contradicts the stream's negotiated parameters")   \
	X(NO_ROOM, "not enough tailroom for the SRTP trailer")               \
	X(INVALID_ARG, "invalid argument")                                   \
	X(BAD_KEY, "master key or salt of the wrong length")                 \
	X(UNSUPPORTED, "combination not supported")                          \
	X(NO_MEMORY, "out of memory")                                        \
	X(BACKEND, "crypto backend failure")                                 \
	X(EXISTS, "a stream with this id or local address already exists")  \
	X(NOT_FOUND, "no stream with this id")                               \
	X(WRONG_WORKER, "stream's local port belongs to another worker")     \
	X(BAD_RECORD, "command record malformed or of an unknown type")

enum aegw_err {
#define AEGW_ERR_ENUM(id, text) AEGW_ERR_##id,
	AEGW_FOREACH_ERROR(AEGW_ERR_ENUM)
#undef AEGW_ERR_ENUM
	AEGW_ERR_COUNT
};

/* Human-readable text for an error value; never NULL. */
const char *aegw_strerror(int err);

/* Short identifier ("auth_failed"), for counter names. */
const char *aegw_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
