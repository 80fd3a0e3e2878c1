// A music video frame, letterboxed: YUV 4:2:0 planes converted to RGB here (BT.601 for
// standard definition, BT.709 above, limited range), or an RGBA frame drawn as it is. The
// picture stays sRGB-encoded from the decoder to the display (both are bound as plain
// 8-bit formats), as video scalers keep it: filtering it in encoded values is what they do.

struct Params {
    // The picture's rectangle in clip space: left, top, right, bottom.
    rect: vec4<f32>,
    // 0: YUV planes; 1: RGBA in the first texture.
    mode: u32,
    // 0: BT.601; 1: BT.709.
    matrix: u32,
    _pad: vec2<u32>,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var plane_y: texture_2d<f32>;
@group(0) @binding(2) var plane_u: texture_2d<f32>;
@group(0) @binding(3) var plane_v: texture_2d<f32>;
@group(0) @binding(4) var planes: sampler;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOut {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    let c = corners[index];
    var out: VertexOut;
    out.position = vec4<f32>(mix(params.rect.x, params.rect.z, c.x), mix(params.rect.y, params.rect.w, c.y), 0.0, 1.0);
    out.uv = c;
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    if (params.mode == 1u) {
        return vec4<f32>(textureSample(plane_y, planes, in.uv).rgb, 1.0);
    }
    let y = (textureSample(plane_y, planes, in.uv).r - 16.0 / 255.0) * (255.0 / 219.0);
    let u = (textureSample(plane_u, planes, in.uv).r - 128.0 / 255.0) * (255.0 / 224.0);
    let v = (textureSample(plane_v, planes, in.uv).r - 128.0 / 255.0) * (255.0 / 224.0);
    var rgb: vec3<f32>;
    if (params.matrix == 0u) {
        rgb = vec3<f32>(y + 1.402 * v, y - 0.344136 * u - 0.714136 * v, y + 1.772 * u);
    } else {
        rgb = vec3<f32>(y + 1.5748 * v, y - 0.187324 * u - 0.468124 * v, y + 1.8556 * u);
    }
    return vec4<f32>(clamp(rgb, vec3<f32>(0.0), vec3<f32>(1.0)), 1.0);
}

// Drawing the converted picture: one sample, nothing else (a branch in one shader costs both
// sides on a CPU rasteriser).
@fragment
fn fs_picture(in: VertexOut) -> @location(0) vec4<f32> {
    return vec4<f32>(textureSample(plane_y, planes, in.uv).rgb, 1.0);
}
