// Baked text (premultiplied RGBA), drawn 1:1 at whole pixels and clipped to a range of
// columns (a lyric line's sung copy left of the wipe, its unsung copy right of it). The quad
// itself is cut at the clip, so no fragment outside it is shaded.

struct Screen {
    size: vec2<f32>,
    _pad: vec2<f32>,
};

@group(0) @binding(0) var<uniform> screen: Screen;
@group(1) @binding(0) var sprite: texture_2d<f32>;
@group(1) @binding(1) var sprite_sampler: sampler;

struct Instance {
    @location(0) rect: vec4<f32>, // left, top, width, height in pixels
    @location(1) clip: vec2<f32>, // columns drawn: clip.x <= x < clip.y
};

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) index: u32, instance: Instance) -> VertexOut {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    let corner = corners[index];
    let left = clamp(instance.clip.x, instance.rect.x, instance.rect.x + instance.rect.z);
    let right = clamp(instance.clip.y, left, instance.rect.x + instance.rect.z);
    let pixel = vec2<f32>(mix(left, right, corner.x), instance.rect.y + corner.y * instance.rect.w);
    var out: VertexOut;
    out.position = vec4<f32>(pixel.x / screen.size.x * 2.0 - 1.0, 1.0 - pixel.y / screen.size.y * 2.0, 0.0, 1.0);
    out.uv = (pixel - instance.rect.xy) / instance.rect.zw;
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    return textureSample(sprite, sprite_sampler, in.uv);
}
