// Known-answer vectors for the SRTP engine, as hex strings (spaces are
// ignored). Every value is copied from the source named beside it; none is
// computed by aegw. RFC 7714 vectors were also re-checked with an
// independent AES-GCM (Python cryptography) while transcribing.
#pragma once

namespace kat {

// RFC 3711 appendix B.2: AES-CM keystream, session salt already shifted,
// SSRC 0, ROC 0, SEQ 0. The segment is 65282 blocks (counters 0000..FF01).
namespace rfc3711_b2 {
constexpr const char *key = "2B7E151628AED2A6ABF7158809CF4F3C";
constexpr const char *salt = "F0F1F2F3F4F5F6F7F8F9FAFBFCFD";
constexpr const char *iv = "F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000";
constexpr const char *first = "E03EAD0935C95E80E166B16DD92B4EB4"
			      "D23513162B02D0F72A43A2FE4A5F97AB"
			      "41E95B3BB0A2E8DD477901E4FCA894C0";
constexpr const char *last = "EC8CDF7398607CB0F2D21675EA9EA1E4"
			     "362B7C3C6773516318A077D7FC5073AE"
			     "6A2CC3787889374FBEB4C81B17BA6C44";
} // namespace rfc3711_b2

// RFC 3711 appendix B.3: initial key derivation (kdr 0), AES-128.
namespace rfc3711_b3 {
constexpr const char *master_key = "E1F97A0D3E018BE0D64FA32C06DE4139";
constexpr const char *master_salt = "0EC675AD498AFEEBB6960B3AABE6";
constexpr const char *cipher_key = "C61E7A93744F39EE10734AFE3FF7A087";
constexpr const char *cipher_salt = "30CBBC08863D8C85D49DB34A9AE1";
// The RFC shows 94 octets of auth key; HMAC-SHA1 uses the first 20.
constexpr const char *auth_key = "CEBE321F6FF7716B6FD4AB49AF256A15"
				 "6D38BAA48F0A0ACF3C34E2359E6CDBCE"
				 "E049646C43D9327AD175578EF7227098"
				 "6371C10C9A369AC2F94A8C5FBCDDDC25"
				 "6D6E919A48B610EF17C2041E47403576"
				 "6B68642C59BBFC2F34DB60DBDFB2";
} // namespace rfc3711_b3

// RFC 6188 section 7.1: AES-256-CM keystream (same counters as B.2).
namespace rfc6188_7_1 {
constexpr const char *key = "57f82fe3613fd170a85ec93c40b1f092"
			    "2ec4cb0dc025b58272147cc438944a98";
constexpr const char *first = "92bdd28a93c3f52511c677d08b5515a4"
			      "9da71b2378a854f67050756ded165bac"
			      "63c4868b7096d88421b563b8c94c9a31";
constexpr const char *last = "cea518c90fd91ced9cbb18c078a54711"
			     "3dbc4814f4da5f00a08772b63c6a046d"
			     "6eb246913062a16891433e97dd01a57f";
} // namespace rfc6188_7_1

// RFC 6188 section 7.2: AES_256_CM_PRF key derivation.
namespace rfc6188_7_2 {
constexpr const char *master_key = "f0f04914b513f2763a1b1fa130f10e29"
				   "98f6f6e43e4309d1e622a0e332b9f1b6";
constexpr const char *master_salt = "3b04803de51ee7c96423ab5b78d2";
constexpr const char *cipher_key = "5ba1064e30ec51613cad926c5a28ef73"
				   "1ec7fb397f70a960653caf06554cd8c4";
constexpr const char *cipher_salt = "fa31791685ca444a9e07c6c64e93";
constexpr const char *auth_key = "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05";
} // namespace rfc6188_7_2

// RFC 6188 section 7.3: AES-192-CM keystream (same counters as B.2).
namespace rfc6188_7_3 {
constexpr const char *key = "eab234764e517b2d3d160d587d8c86219740f65f99b6bcf7";
constexpr const char *first = "35096cba4610028dc1b57503804ce37c"
			      "5de986291dcce161d5165ec4568f5c9a"
			      "474a40c77894bc17180202272a4c264d";
constexpr const char *last = "d108d1a31a00bad6367ec23eb044b415"
			     "c8f57129fdeb970b59f917b257662d4c"
			     "a5dab625811034e8cebdfeb6dc158dd3";
} // namespace rfc6188_7_3

// RFC 6188 section 7.4: AES_192_CM_PRF key derivation. Debian's libsrtp2
// 2.5 derives other keys (cisco/libsrtp#763, fixed by PR #765), so this
// vector is the only independent proof of aegw's AES-192 KDF.
namespace rfc6188_7_4 {
constexpr const char *master_key = "73edc66c4fa15776fb57f9505c171365"
				   "50ffda71f3e8e5f1";
constexpr const char *master_salt = "c8522f3acd4ce86d5add78edbb11";
constexpr const char *cipher_key = "31874736a8f1143870c26e4857d8a5b2"
				   "c4a354407faadabb";
constexpr const char *cipher_salt = "2372b82d639b6d8503a47adc0a6c";
constexpr const char *auth_key = "355b10973cd95b9eacf4061c7e1a7151e7cfbfcb";
} // namespace rfc6188_7_4

// RFC 7714 sections 16 and 17: session key and salt given directly.
namespace rfc7714 {
constexpr const char *key_128 = "000102030405060708090a0b0c0d0e0f";
constexpr const char *key_256 = "000102030405060708090a0b0c0d0e0f"
				"101112131415161718191a1b1c1d1e1f";
constexpr const char *salt = "517569642070726f2071756f"; // "Quid pro quo"

// Section 16: SSRC 5501a0b2, ROC 0, SEQ f17b.
constexpr const char *rtp = "8040f17b 8041f8d3 5501a0b2 47616c6c"
			    "69612065 7374206f 6d6e6973 20646976"
			    "69736120 696e2070 61727465 73207472"
			    "6573";
// 16.1.1 encryption / 16.1.2 decryption, AEAD_AES_128_GCM.
constexpr const char *srtp_128 = "8040f17b 8041f8d3 5501a0b2 f24de3a3"
				 "fb34de6c acba861c 9d7e4bca be633bd5"
				 "0d294e6f 42a5f47a 51c7d19b 36de3adf"
				 "8833899d 7f27beb1 6a9152cf 765ee439"
				 "0cce";
// 16.1.3 tagging / 16.1.4 verification: the whole packet is AAD.
constexpr const char *tag_only_128 = "22493f82d2bce397e9d79e3b19aa4216";
// 16.2.1 encryption / 16.2.2 decryption, AEAD_AES_256_GCM.
constexpr const char *srtp_256 = "8040f17b 8041f8d3 5501a0b2 32b1de78"
				 "a822fe12 ef9f78fa 332e33aa b1801238"
				 "9a58e2f3 b50b2a02 76ffae0f 1ba63799"
				 "b87b7aa3 db36dfff d6b0f9bb 7878d7a7"
				 "6c13";
// 16.2.3 tagging / 16.2.4 verification.
constexpr const char *tag_only_256 = "a866d5910f887463067ceefec45215d4";

// Section 17: SSRC 4d617273 ("Mars"), SRTCP index 000005d4.
constexpr unsigned rtcp_index = 0x5d4;
constexpr const char *rtcp = "81c8000d 4d617273 4e545031 4e545032"
			     "52545020 0000042a 0000e930 4c756e61"
			     "deadbeef deadbeef deadbeef deadbeef"
			     "deadbeef";
// 17.1 encryption and tagging, AEAD_AES_128_GCM (E=1).
constexpr const char *srtcp_128 = "81c8000d 4d617273 63e94885 dcdab67c"
				  "a727d766 2f6b7e99 7ff5c0f7 6c06f32d"
				  "c676a5f1 730d6fda 4ce09b46 86303ded"
				  "0bb9275b c84aa458 96cf4d2f c5abf872"
				  "45d9eade 800005d4";
// 17.2 verification and decryption, AEAD_AES_256_GCM (E=1).
constexpr const char *srtcp_256 = "81c8000d 4d617273 d50ae4d1 f5ce5d30"
				  "4ba297e4 7d470c28 2c3ece5d bffe0a50"
				  "a2eaa5c1 110555be 8415f658 c61de047"
				  "6f1b6fad 1d1eb30c 4446839f 57ff6f6c"
				  "b26ac3be 800005d4";
// 17.3 tagging (E=0), AEAD_AES_128_GCM: rtcp || tag || 000005d4.
constexpr const char *srtcp_tag_128 = "841dd9683dd78ec92ae58790125f62b3";
// 17.4 verification (E=0), AEAD_AES_256_GCM.
constexpr const char *srtcp_tag_256 = "91db4afbfeee5a978fab4393ed2615fe";
} // namespace rfc7714

// libsrtp test/srtp_driver.c (cisco/libsrtp main, after PR #765): whole
// packets from master keys, RTP and SRTCP. libsrtp's first SRTCP index is 1.
namespace libsrtp {
// srtp_validate(): AES_CM_128_HMAC_SHA1_80, master key/salt of RFC 3711
// B.3, SSRC cafebabe, SEQ 1234.
namespace cm128 {
constexpr const char *master_key = "e1f97a0d3e018be0d64fa32c06de4139";
constexpr const char *master_salt = "0ec675ad498afeebb6960b3aabe6";
constexpr const char *rtp = "800f1234decafbadcafebabe"
			    "abababababababababababababababab";
constexpr const char *srtp = "800f1234decafbadcafebabe"
			     "4e55dc4ce79978d88ca4d215949d2402"
			     "b78d6acc99ea179b8dbb";
constexpr const char *rtcp = "81c8000bcafebabe"
			     "abababababababababababababababab";
constexpr const char *srtcp = "81c8000bcafebabe"
			      "7128035be487b9bdbef89041f977a5a8"
			      "80000001993e08cd54d6c1230798";
} // namespace cm128

// srtp_validate_aes_192(): AES_192_CM_HMAC_SHA1_80, master key/salt of
// RFC 6188 7.4, SSRC 0, SEQ 0.
namespace cm192 {
constexpr const char *rtp = "800f0000decafbad00000000"
			    "abababababababababababababababab";
constexpr const char *srtp = "800f0000decafbad00000000"
			     "d98865552f2762c3ef37f837acfdb712"
			     "2d6bc4dc84c76f74aea5";
} // namespace cm192

// srtp_validate_aes_256(): AES_256_CM_HMAC_SHA1_80, master key/salt of
// RFC 6188 7.2, SSRC cafebabe, SEQ 1234.
namespace cm256 {
constexpr const char *rtp = "800f1234decafbadcafebabe"
			    "abababababababababababababababab";
constexpr const char *srtp = "800f1234decafbadcafebabe"
			     "f1d9de17ff251ff1aa007774b0b4b40d"
			     "a08d9d9a5b3a55d8873b";
} // namespace cm256

// srtp_validate_gcm(): AEAD_AES_128_GCM from a master key and a 96-bit
// master salt (RFC 7714 11 with the errata 4938 zero extension).
namespace gcm128 {
constexpr const char *master_key = "000102030405060708090a0b0c0d0e0f";
constexpr const char *master_salt = "a0a1a2a3a4a5a6a7a8a9aaab";
constexpr const char *rtp = "800f1234decafbadcafebabe"
			    "abababababababababababababababab";
constexpr const char *srtp = "800f1234decafbadcafebabe"
			     "c5002ede04cfdd2eb91159e0880aa06e"
			     "d2976826f796b201df3131a127e8a392";
constexpr const char *rtcp = "81c8000bcafebabe"
			     "abababababababababababababababab";
constexpr const char *srtcp = "81c8000bcafebabe"
			      "c98b8b5df0392a55852b6c21ac8e7025"
			      "c52c6fbea2b3b446ea31123ba88ce61e"
			      "80000001";
} // namespace gcm128
} // namespace libsrtp

} // namespace kat
