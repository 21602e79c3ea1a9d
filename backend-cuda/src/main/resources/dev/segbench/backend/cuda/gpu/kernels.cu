// Element-wise and data-movement kernels of the cuda backend, compiled at session open with NVRTC for the
// device's architecture. Every kernel exists for FP32 (suffix _f32) and FP16 storage (suffix _f16, values held as
// IEEE half bits in unsigned short; arithmetic is done in float). Half conversions use PTX cvt so that no CUDA
// header is needed at runtime (NVRTC gets no include path on the target machine).

__device__ __forceinline__ float h2f(unsigned short h) { float f; asm("{ cvt.f32.f16 %0, %1; }" : "=f"(f) : "h"(h)); return f; }
__device__ __forceinline__ unsigned short f2h(float f) { unsigned short h; asm("{ cvt.rn.f16.f32 %0, %1; }" : "=h"(h) : "f"(f)); return h; }

__device__ __forceinline__ float ld(const float* p, long long i) { return p[i]; }
__device__ __forceinline__ float ld(const unsigned short* p, long long i) { return h2f(p[i]); }
__device__ __forceinline__ void st(float* p, long long i, float v) { p[i] = v; }
__device__ __forceinline__ void st(unsigned short* p, long long i, float v) { p[i] = f2h(v); }

#define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// Clip(lo, hi); ReLU is lo = 0, hi = +inf. NaN passes through as in ONNX. May run in place.
template <typename T> __device__ void clip_impl(const T* x, T* y, long long n, float lo, float hi) {
    GRID_STRIDE(i, n) { float v = ld(x, i); st(y, i, v < lo ? lo : (v > hi ? hi : v)); }
}

// Broadcast index: out dims d0..d3 (rank padded to 4 with leading 1s), input strides s0..s3 (0 where broadcast).
__device__ __forceinline__ long long bidx(long long i, int d1, int d2, int d3, long long s0, long long s1, long long s2, long long s3) {
    long long c3 = i % d3; i /= d3; long long c2 = i % d2; i /= d2; long long c1 = i % d1; long long c0 = i / d1;
    return c0 * s0 + c1 * s1 + c2 * s2 + c3 * s3;
}

// Element-wise Add and Mul (op 0 and 1), plain and with broadcasting.
template <int OP> __device__ __forceinline__ float binop(float p, float q) { return OP == 0 ? p + q : p * q; }

template <int OP, typename T> __device__ void binary_impl(const T* a, const T* b, T* y, long long n) {
    GRID_STRIDE(i, n) { st(y, i, binop<OP>(ld(a, i), ld(b, i))); }
}

template <int OP, typename T> __device__ void binary_bcast_impl(const T* a, const T* b, T* y, long long n, int d1, int d2, int d3,
        long long a0, long long a1, long long a2, long long a3, long long b0, long long b1, long long b2, long long b3) {
    GRID_STRIDE(i, n) { st(y, i, binop<OP>(ld(a, bidx(i, d1, d2, d3, a0, a1, a2, a3)), ld(b, bidx(i, d1, d2, d3, b0, b1, b2, b3)))); }
}

// HardSigmoid max(0, min(1, alpha * x + beta)) and Sigmoid 1 / (1 + exp(-x)); NaN passes through. May run in place.
template <typename T> __device__ void hardsigmoid_impl(const T* x, T* y, long long n, float alpha, float beta) {
    GRID_STRIDE(i, n) { float v = alpha * ld(x, i) + beta; st(y, i, v < 0.f ? 0.f : (v > 1.f ? 1.f : v)); }
}

template <typename T> __device__ void sigmoid_impl(const T* x, T* y, long long n) {
    GRID_STRIDE(i, n) { st(y, i, 1.f / (1.f + expf(-ld(x, i)))); }
}

// 2-D MaxPool, one thread per output element: padded positions are skipped (never win), a NaN in the window wins.
template <typename T> __device__ void maxpool_impl(const T* x, T* y, long long planes, int ih, int iw, int oh, int ow,
        int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw) {
    GRID_STRIDE(i, planes * oh * ow) {
        int ox = (int)(i % ow); int oy = (int)((i / ow) % oh); long long p = i / ((long long)ow * oh);
        const long long base = p * ih * iw;
        float best = __int_as_float(0xff800000); // -inf
        for (int ky = 0; ky < kh; ky++) {
            int iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= ih) continue;
            for (int kx = 0; kx < kw; kx++) {
                int ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= iw) continue;
                float v = ld(x, base + (long long)iy * iw + ix);
                if (v > best || v != v) best = v;
            }
        }
        st(y, i, best);
    }
}

template <typename T> __device__ void expand_impl(const T* x, T* y, long long n, int d1, int d2, int d3,
        long long s0, long long s1, long long s2, long long s3) {
    GRID_STRIDE(i, n) { st(y, i, ld(x, bidx(i, d1, d2, d3, s0, s1, s2, s3))); }
}

// ONNX Resize linear, half_pixel (pytorch_half_pixel: 0 when the output length is 1); source clamped to the input.
__device__ __forceinline__ float src_coord(int o, float scale, int outLen, int inLen, int pytorch) {
    float s = (pytorch && outLen == 1) ? 0.f : ((o + 0.5f) / scale - 0.5f);
    return fminf(fmaxf(s, 0.f), (float)(inLen - 1));
}

template <typename T> __device__ void resize_impl(const T* x, T* y, long long planes, int ih, int iw, int oh, int ow,
        float scaleH, float scaleW, int pytorch) {
    long long n = planes * oh * ow;
    GRID_STRIDE(i, n) {
        int ox = (int)(i % ow); int oy = (int)((i / ow) % oh); long long p = i / ((long long)ow * oh);
        float sy = src_coord(oy, scaleH, oh, ih, pytorch); float sx = src_coord(ox, scaleW, ow, iw, pytorch);
        int y0 = (int)sy; int x0 = (int)sx; int y1 = min(y0 + 1, ih - 1); int x1 = min(x0 + 1, iw - 1);
        float fy = sy - y0; float fx = sx - x0;
        const long long base = p * ih * iw;
        float top = ld(x, base + (long long)y0 * iw + x0) * (1.f - fx) + ld(x, base + (long long)y0 * iw + x1) * fx;
        float bottom = ld(x, base + (long long)y1 * iw + x0) * (1.f - fx) + ld(x, base + (long long)y1 * iw + x1) * fx;
        st(y, i, top * (1.f - fy) + bottom * fy);
    }
}

// Mean over H*W: one block of 256 threads per (n, c) plane.
template <typename T> __device__ void gap_impl(const T* x, T* y, long long hw) {
    __shared__ float partial[256];
    long long plane = blockIdx.x;
    float acc = 0.f;
    for (long long i = threadIdx.x; i < hw; i += blockDim.x) acc += ld(x, plane * hw + i);
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) st(y, plane, partial[0] / (float)hw);
}

// Copies one Concat input into its slice of the output: y[o * outChunk + offset + k] = x[o * chunk + k].
template <typename T> __device__ void concat_impl(const T* x, T* y, long long outer, long long chunk, long long outChunk, long long offset) {
    GRID_STRIDE(i, outer * chunk) { long long o = i / chunk; long long k = i % chunk; y[o * outChunk + offset + k] = x[i]; }
}

// ArgMax along an axis of extent len: one thread per (outer, inner) position, first maximum wins (ONNX default).
template <typename T> __device__ void argmax_impl(const T* x, long long* y, long long outer, int len, long long inner) {
    GRID_STRIDE(i, outer * inner) {
        long long o = i / inner; long long in = i % inner;
        float best = ld(x, o * len * inner + in); int arg = 0;
        for (int j = 1; j < len; j++) { float v = ld(x, (o * len + j) * inner + in); if (v > best) { best = v; arg = j; } }
        y[i] = arg;
    }
}

#define FOR_TYPES(M) M(f32, float) M(f16, unsigned short)

#define DEFINE(SUF, T) \
extern "C" __global__ void clip_##SUF(const T* x, T* y, long long n, float lo, float hi) { clip_impl(x, y, n, lo, hi); } \
extern "C" __global__ void add_##SUF(const T* a, const T* b, T* y, long long n) { binary_impl<0>(a, b, y, n); } \
extern "C" __global__ void add_bcast_##SUF(const T* a, const T* b, T* y, long long n, int d1, int d2, int d3, \
        long long a0, long long a1, long long a2, long long a3, long long b0, long long b1, long long b2, long long b3) { \
    binary_bcast_impl<0>(a, b, y, n, d1, d2, d3, a0, a1, a2, a3, b0, b1, b2, b3); } \
extern "C" __global__ void mul_##SUF(const T* a, const T* b, T* y, long long n) { binary_impl<1>(a, b, y, n); } \
extern "C" __global__ void mul_bcast_##SUF(const T* a, const T* b, T* y, long long n, int d1, int d2, int d3, \
        long long a0, long long a1, long long a2, long long a3, long long b0, long long b1, long long b2, long long b3) { \
    binary_bcast_impl<1>(a, b, y, n, d1, d2, d3, a0, a1, a2, a3, b0, b1, b2, b3); } \
extern "C" __global__ void hardsigmoid_##SUF(const T* x, T* y, long long n, float alpha, float beta) { \
    hardsigmoid_impl(x, y, n, alpha, beta); } \
extern "C" __global__ void sigmoid_##SUF(const T* x, T* y, long long n) { sigmoid_impl(x, y, n); } \
extern "C" __global__ void maxpool_##SUF(const T* x, T* y, long long planes, int ih, int iw, int oh, int ow, \
        int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw) { \
    maxpool_impl(x, y, planes, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw); } \
extern "C" __global__ void expand_##SUF(const T* x, T* y, long long n, int d1, int d2, int d3, \
        long long s0, long long s1, long long s2, long long s3) { expand_impl(x, y, n, d1, d2, d3, s0, s1, s2, s3); } \
extern "C" __global__ void resize_##SUF(const T* x, T* y, long long planes, int ih, int iw, int oh, int ow, \
        float scaleH, float scaleW, int pytorch) { resize_impl(x, y, planes, ih, iw, oh, ow, scaleH, scaleW, pytorch); } \
extern "C" __global__ void gap_##SUF(const T* x, T* y, long long hw) { gap_impl(x, y, hw); } \
extern "C" __global__ void concat_##SUF(const T* x, T* y, long long outer, long long chunk, long long outChunk, long long offset) { \
    concat_impl(x, y, outer, chunk, outChunk, offset); } \
extern "C" __global__ void argmax_##SUF(const T* x, long long* y, long long outer, int len, long long inner) { \
    argmax_impl(x, y, outer, len, inner); }

FOR_TYPES(DEFINE)

// Casts between the device element types (float -> int truncates toward zero, as ONNX Cast).
extern "C" __global__ void cast_f32_f16(const float* x, unsigned short* y, long long n) { GRID_STRIDE(i, n) y[i] = f2h(x[i]); }
extern "C" __global__ void cast_f16_f32(const unsigned short* x, float* y, long long n) { GRID_STRIDE(i, n) y[i] = h2f(x[i]); }
extern "C" __global__ void cast_i64_u8(const long long* x, unsigned char* y, long long n) { GRID_STRIDE(i, n) y[i] = (unsigned char)x[i]; }
extern "C" __global__ void cast_i64_f32(const long long* x, float* y, long long n) { GRID_STRIDE(i, n) y[i] = (float)x[i]; }
extern "C" __global__ void cast_i64_f16(const long long* x, unsigned short* y, long long n) { GRID_STRIDE(i, n) y[i] = f2h((float)x[i]); }
extern "C" __global__ void cast_f32_i64(const float* x, long long* y, long long n) { GRID_STRIDE(i, n) y[i] = (long long)x[i]; }
extern "C" __global__ void cast_f16_i64(const unsigned short* x, long long* y, long long n) { GRID_STRIDE(i, n) y[i] = (long long)h2f(x[i]); }
extern "C" __global__ void cast_u8_f32(const unsigned char* x, float* y, long long n) { GRID_STRIDE(i, n) y[i] = (float)x[i]; }
extern "C" __global__ void cast_u8_i64(const unsigned char* x, long long* y, long long n) { GRID_STRIDE(i, n) y[i] = (long long)x[i]; }
extern "C" __global__ void cast_f32_u8(const float* x, unsigned char* y, long long n) { GRID_STRIDE(i, n) y[i] = (unsigned char)(long long)x[i]; }
