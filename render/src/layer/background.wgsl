// The animated background of a song without a video: slow waves of deep blue and violet, dark
// enough that white lyrics with an outline read well over every part of it.

struct Uniforms {
    // Song time in seconds.
    time: f32,
    // Width over height.
    aspect: f32,
    _pad: vec2<f32>,
};

@group(0) @binding(0) var<uniform> u: Uniforms;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

// One triangle that covers the screen.
@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOut {
    let x = f32((index << 1u) & 2u);
    let y = f32(index & 2u);
    var out: VertexOut;
    out.position = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    out.uv = vec2<f32>(x, y);
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let t = u.time;
    let p = vec2<f32>(in.uv.x * u.aspect, in.uv.y);
    let wave = 0.5 + 0.5 * sin(p.x * 2.7 + t * 0.35 + 1.3 * sin(p.y * 2.1 - t * 0.23));
    let glow = 0.5 + 0.5 * sin(p.y * 3.1 - t * 0.17 + 0.8 * sin(p.x * 1.7 + t * 0.29));
    let deep = vec3<f32>(0.020, 0.015, 0.060);
    let blue = vec3<f32>(0.050, 0.090, 0.280);
    let violet = vec3<f32>(0.200, 0.050, 0.260);
    let colour = mix(deep, mix(blue, violet, glow), wave * (1.0 - 0.45 * in.uv.y));
    return vec4<f32>(colour, 1.0);
}
